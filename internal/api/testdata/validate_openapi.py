"""Validate JSON instances against schemas of an OpenAPI 3.1 document.

Input (a file named by argv[1]): {"doc": <the OpenAPI document>, "checks":
[{"what": str, "ref": "#/components/schemas/X", "instance": any, "valid": bool}]};
a check may give "schema" inline instead of "ref".
Prints one line per check whose outcome is not the expected one and exits 1
if there is any; exits 77 when jsonschema is missing.

Formats are checked by the functions below rather than jsonschema's own,
which silently pass "uri" and "date-time" when optional packages (rfc3987,
rfc3339-validator) are not installed.
"""
import datetime
import json
import re
import sys
import urllib.parse

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError as e:
    print(e)
    sys.exit(77)

checker = FormatChecker(formats=())


@checker.checks("email")
def is_email(v):
    return not isinstance(v, str) or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]+", v) is not None


@checker.checks("uri")
def is_uri(v):
    if not isinstance(v, str):
        return True
    if re.search(r"\s", v):
        return False
    u = urllib.parse.urlsplit(v)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", u.scheme)) and bool(u.netloc or u.path)


@checker.checks("date")
def is_date(v):
    if not isinstance(v, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


@checker.checks("date-time")
def is_date_time(v):
    if not isinstance(v, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", v):
        return False
    try:
        datetime.datetime.fromisoformat(v[:19])
    except ValueError:
        return False
    return True


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    doc = data["doc"]
    bad = 0
    for c in data["checks"]:
        # The document itself is the schema resource, so "#/components/..."
        # references resolve in it; its other keys are not keywords.
        if "ref" in c:
            schema = dict(doc)
            schema["$ref"] = c["ref"]
        else:
            schema = dict(c["schema"])
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        v = Draft202012Validator(schema, format_checker=checker)
        errors = sorted(v.iter_errors(c["instance"]), key=lambda e: list(e.absolute_path))
        if c["valid"] and errors:
            bad += 1
            for e in errors:
                path = "/".join(str(p) for p in e.absolute_path)
                print(f"{c['what']}: against {c.get('ref', 'its schema')}: at /{path}: {e.message}")
        elif not c["valid"] and not errors:
            bad += 1
            print(f"{c['what']}: {c.get('ref', 'its schema')} accepts it, but the server refuses it")
    sys.exit(1 if bad else 0)


main()
