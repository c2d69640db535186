package agenda

import "testing"

func TestCheckURL(t *testing.T) {
	const absolute = "expected an absolute http or https URL, such as https://example.org/page"
	tests := []struct {
		v, want string // want "": accepted
	}{
		{"https://example.org/page", ""},
		{"http://example.org:8080/x?y=1#z", ""},
		{"https://[2001:db8::1]:443/", ""},
		{"https://example.org:65535/", ""},
		{"ftp://example.org/", absolute},
		{"javascript:alert(1)", absolute},
		{"https://:443/", absolute},
		{"https:///path", absolute},
		{"https://example.org/a b", absolute},
		// Published to every subscriber: no credentials.
		{"https://user:secret@example.org/", "expected a URL without a user name or password (it is published to every subscriber)"},
		{"https://user@example.org/", "expected a URL without a user name or password (it is published to every subscriber)"},
		{"https://example.org:99999/", "expected a port between 1 and 65535, not 99999"},
		{"https://example.org:0/", "expected a port between 1 and 65535, not 0"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			var es Errors
			checkURL(&es, "url", tt.v, false)
			switch {
			case tt.want == "" && len(es) > 0:
				t.Fatalf("refused: %v", es)
			case tt.want != "" && (len(es) != 1 || es[0].Msg != tt.want || es[0].Field != "url" || es[0].Value != tt.v):
				t.Fatalf("got %v; want one error on url, %q: %s", es, tt.v, tt.want)
			}
		})
	}
}
