"""Check agendafeed's news feeds with Python's feedparser.

Usage: /usr/bin/python3 check_feedparser.py SPEC.json

SPEC lists cases, each with the paths of one feed in RSS, Atom and JSON Feed
and the items the Go test built. Every feed must parse with bozo == 0 and
agree on ids, titles, links and instants. Exit status: 0 all agree, 1 a
mismatch (printed), 77 feedparser is not installed.

feedparser reads JSON Feed only from version 6.1; Debian's 6.0.x does not, so
for JSON the script uses feedparser when it recognises the document and
otherwise checks JSON Feed 1.1 with the json module.
"""

import calendar
import datetime
import html
import html.parser
import json
import sys

try:
    import feedparser
except ImportError:
    print("feedparser is not installed: apt-get install python3-feedparser", file=sys.stderr)
    sys.exit(77)

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def ts(struct):
    return calendar.timegm(struct) if struct else None


class LinkCollector(html.parser.HTMLParser):
    """The href and src values of an HTML fragment, in order."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src"):
                self.links.append(v)


def links(fragment):
    p = LinkCollector()
    p.feed(fragment or "")
    p.close()
    return p.links


def check_links(at, content, w):
    """A post's links must reach the reader absolute, as the Go side
    resolved them: feedparser resolves what is left relative against the
    feed's own location, which is not where the post's links point."""
    if "content_links" not in w:
        return
    got = links(content)
    check(got == w["content_links"], "%s: content links %r, want %r" % (at, got, w["content_links"]))


def shown(parent, key):
    """The text a reader shows for parent[key]: the value itself when
    feedparser read it as text, and when it read it as HTML, the text of
    that HTML, or None if the HTML has any tag (text must not turn into
    markup)."""
    value = parent.get(key)
    detail = parent.get(key + "_detail") or {}
    if value is None or detail.get("type") != "text/html":
        return value
    if links(value) or "<" in value:
        return None
    return html.unescape(value)


def iso(s):
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def check_xml(case, fmt):
    where = "%s.%s" % (case["name"], fmt)
    d = feedparser.parse(case[fmt])
    check(d.bozo == 0, "%s: bozo=%r %r" % (where, d.bozo, d.get("bozo_exception")))
    want_version = "rss20" if fmt == "rss" else "atom10"
    check(d.version == want_version, "%s: version %r, want %r" % (where, d.version, want_version))
    if case["exact_text"]:
        check(d.feed.get("title") == case["title"], "%s: feed title %r, want %r" % (where, d.feed.get("title"), case["title"]))
        # The series' description is plain text: a reader must not read
        # "<Smart>" in it as a tag, nor make a link of "<a href=...>".
        check(shown(d.feed, "subtitle") == case["description"],
              "%s: feed subtitle %r, want %r" % (where, d.feed.get("subtitle"), case["description"]))
    if case["language"]:
        check(d.feed.get("language") == case["language"], "%s: language %r, want %r" % (where, d.feed.get("language"), case["language"]))
    check(ts(d.feed.get("updated_parsed")) == case["updated"],
          "%s: feed updated %r, want %r" % (where, ts(d.feed.get("updated_parsed")), case["updated"]))
    items = case["items"]
    check(len(d.entries) == len(items), "%s: %d entries, want %d" % (where, len(d.entries), len(items)))
    for i, (e, w) in enumerate(zip(d.entries, items)):
        at = "%s item %d" % (where, i)
        check(e.get("id") == w["id"], "%s: id %r, want %r" % (at, e.get("id"), w["id"]))
        if case["exact_text"]:
            check(e.get("title") == w["title"], "%s: title %r, want %r" % (at, e.get("title"), w["title"]))
            if w["author"]:
                check(e.get("author") == w["author"], "%s: author %r, want %r" % (at, e.get("author"), w["author"]))
        check(e.get("link") == w["link"], "%s: link %r, want %r" % (at, e.get("link"), w["link"]))
        check(ts(e.get("published_parsed")) == w["published"],
              "%s: published %r, want %r" % (at, ts(e.get("published_parsed")), w["published"]))
        if fmt == "atom":
            check(ts(e.get("updated_parsed")) == w["updated"],
                  "%s: updated %r, want %r" % (at, ts(e.get("updated_parsed")), w["updated"]))
        if fmt == "rss":
            check(e.get("guidislink") is False, "%s: guid taken as a permalink" % at)
        content = e.get("content") or [{}]
        check_links(at, content[0].get("value"), w)


def check_json(case):
    where = "%s.json" % case["name"]
    d = feedparser.parse(case["json"])
    if d.get("version", "").startswith("json"):
        # A feedparser that reads JSON Feed (6.1 and later).
        check(d.bozo == 0, "%s: bozo=%r %r" % (where, d.bozo, d.get("bozo_exception")))
        check(len(d.entries) == len(case["items"]), "%s: %d entries" % (where, len(d.entries)))
        for i, (e, w) in enumerate(zip(d.entries, case["items"])):
            check(e.get("id") == w["id"], "%s item %d: id %r" % (where, i, e.get("id")))
            content = e.get("content") or [{}]
            check_links("%s item %d" % (where, i), content[0].get("value"), w)
        return "feedparser"
    with open(case["json"], encoding="utf-8") as f:
        doc = json.load(f)
    check(doc.get("version") == "https://jsonfeed.org/version/1.1", "%s: version %r" % (where, doc.get("version")))
    for key in ("title", "home_page_url", "feed_url", "authors", "items"):
        check(key in doc, "%s: no %s" % (where, key))
    if case["exact_text"]:
        check(doc.get("title") == case["title"], "%s: title %r" % (where, doc.get("title")))
        check(doc.get("description") == case["description"], "%s: description %r, want %r" % (where, doc.get("description"), case["description"]))
    if case["language"]:
        check(doc.get("language") == case["language"], "%s: language %r" % (where, doc.get("language")))
    items = doc.get("items", [])
    check(len(items) == len(case["items"]), "%s: %d items, want %d" % (where, len(items), len(case["items"])))
    ids = [it.get("id") for it in items]
    check(len(set(ids)) == len(ids), "%s: repeated ids" % where)
    for i, (it, w) in enumerate(zip(items, case["items"])):
        at = "%s item %d" % (where, i)
        check(isinstance(it.get("id"), str) and it["id"] == w["id"], "%s: id %r, want %r" % (at, it.get("id"), w["id"]))
        check("content_html" in it or "content_text" in it, "%s: no content" % at)
        if case["exact_text"]:
            check(it.get("title") == w["title"], "%s: title %r, want %r" % (at, it.get("title"), w["title"]))
        check(it.get("url") == w["link"], "%s: url %r, want %r" % (at, it.get("url"), w["link"]))
        check(iso(it["date_published"]) == w["published"], "%s: date_published %r" % (at, it.get("date_published")))
        check(iso(it["date_modified"]) == w["updated"], "%s: date_modified %r" % (at, it.get("date_modified")))
        check(isinstance(it.get("authors", []), list), "%s: authors is not an array" % at)
        check_links(at, it.get("content_html"), w)
    return "json module (feedparser %s does not read JSON Feed)" % feedparser.__version__


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    how = ""
    for case in spec["cases"]:
        check_xml(case, "rss")
        check_xml(case, "atom")
        how = check_json(case)
    if errors:
        for e in errors[:50]:
            print(e)
        print("%d mismatches" % len(errors))
        sys.exit(1)
    print("feedparser %s: %d cases agree (RSS, Atom; JSON Feed via %s)" % (feedparser.__version__, len(spec["cases"]), how))


main()
