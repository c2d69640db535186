# The two commands the README shows:
#   make run    the daemon on the demo data, embedded SQLite under ./var
#   make test   the whole test suite, including the real-client checks
GO ?= go

.PHONY: run test deps bench vet fmt

run:
	$(GO) run ./cmd/agendafeed serve -demo

# npm packages install into the repo (node_modules) from package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

test: deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./feeds/... ./internal/...
