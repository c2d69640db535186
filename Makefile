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

# Tests that produce artifacts (the agenda page's browser screenshots) keep
# them here, so they survive the run.
ARTIFACTS ?= $(CURDIR)/var/test-artifacts

test: deps
	mkdir -p $(ARTIFACTS)
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	AGENDAFEED_ARTIFACTS=$(ARTIFACTS) $(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./feeds/... ./internal/...
