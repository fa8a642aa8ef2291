"""The app's WSGI entry point: mod_wsgi serves `application` from this file."""

from html import escape

NAME = "{{app}}"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(NAME)}</title>
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<h1>Hello from {escape(NAME)}</h1>
</body>
</html>
""".encode("utf-8")


def application(environ, start_response):
    start_response("200 OK", [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(PAGE))),
    ])
    return [PAGE]
