"""Reads an OPML file with listparser (python3-listparser) and prints, as
JSON, what a feed reader importing it would subscribe to.

Exits 77 when listparser is missing, so the Go test can skip.
"""
import json
import sys

try:
    import listparser
except ImportError:
    print("python3-listparser is not installed")
    sys.exit(77)

with open(sys.argv[1], encoding="utf-8") as f:
    result = listparser.parse(f.read())
if result.bozo:
    print("listparser: not valid OPML: %s" % result.bozo_exception)
    sys.exit(1)
print(json.dumps({
    "title": result.meta.title,
    "feeds": [{"url": f.url, "title": f.title} for f in result.feeds],
}))
