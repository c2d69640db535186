package news

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"
)

// TestChannelDescriptionIsText holds the series' description, plain text, to
// reaching a reader as that text in each format: escaped once more in RSS,
// whose readers take <description> as HTML; as it is in Atom's <subtitle>
// (type text, the default) and in JSON Feed's description (text by spec).
func TestChannelDescriptionIsText(t *testing.T) {
	snaps := demoSnapshots(t)
	for i := range snaps {
		snaps[i].Series.Description = markupText
	}
	f, err := Build(snaps, "cities-are-listening", Options{Layout: testLayout})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		format string
		write  func(*bytes.Buffer) error
		read   func([]byte) (string, error)
		want   string
	}{
		{"rss", func(b *bytes.Buffer) error { return f.WriteRSS(b) }, func(data []byte) (string, error) {
			var doc struct {
				Description string `xml:"channel>description"`
			}
			err := xml.Unmarshal(data, &doc)
			return doc.Description, err
		}, `Dialogues where x &lt; y and &lt;Smart&gt; cities &amp; regions meet; ` +
			`&lt;a href=&#34;https://www.uclg.org/&#34;&gt;UCLG&lt;/a&gt; &amp;amp; &lt;b&gt;members&lt;/b&gt;.`},
		{"atom", func(b *bytes.Buffer) error { return f.WriteAtom(b) }, func(data []byte) (string, error) {
			var doc struct {
				Subtitle struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"subtitle"`
			}
			err := xml.Unmarshal(data, &doc)
			if doc.Subtitle.Type != "" && doc.Subtitle.Type != "text" {
				t.Errorf("atom: subtitle type %q, want text", doc.Subtitle.Type)
			}
			return doc.Subtitle.Text, err
		}, markupText},
		{"json", func(b *bytes.Buffer) error { return f.WriteJSON(b) }, func(data []byte) (string, error) {
			var doc struct {
				Description string `json:"description"`
			}
			err := json.Unmarshal(data, &doc)
			return doc.Description, err
		}, markupText},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := tt.write(&b); err != nil {
			t.Fatalf("%s: %v", tt.format, err)
		}
		got, err := tt.read(b.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", tt.format, err)
		}
		if got != tt.want {
			t.Errorf("%s: description\n got %q\nwant %q", tt.format, got, tt.want)
		}
	}
}
