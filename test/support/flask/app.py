"""A small Flask app that shares sessions with the Nest app under test (test/flask-interop.e2e-spec.ts).

Server mode (`python3 app.py PORT`): routes that set and show the session, from the environment
FLASK_SECRET_KEY, FLASK_SECRET_KEY_FALLBACKS (a JSON array) and FLASK_PERMANENT_LIFETIME (seconds).

Script modes, one JSON object per stdin line and per stdout line, in one process:
  --sign  {"secret", "fallbacks"?, "salt"?, "tagged", "permanent"?, "timestamp"} -> {"cookie"}: Flask's
          own session serializer signs the session whose data is `tagged` (Flask's tagged JSON) at
          `timestamp`.
  --load  {"secret", "fallbacks"?, "salt"?, "cookie", "max_age"?} -> {"ok", "tagged"?, "plain"?, "permanent"?}:
          what Flask reads from the cookie, written back as Flask's tagged JSON and as plain JSON.
"""

import json
import sys
from datetime import datetime, timedelta

import itsdangerous.timed
from flask import Flask, flash, get_flashed_messages, jsonify, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer


class RotatingSessionInterface(SecureCookieSessionInterface):
    """Flask 3.1's SECRET_KEY_FALLBACKS on Flask 2.2, which lacks it: itsdangerous verifies with
    every key of the list and signs with the last, so the list is the fallbacks, then the key."""

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = [*app.config.get("SECRET_KEY_FALLBACKS", []), app.secret_key]
        return URLSafeTimedSerializer(
            keys,
            salt=app.config.get("SESSION_SALT", self.salt),
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )


def make_app(secret, fallbacks=(), salt="cookie-session", lifetime_seconds=31 * 86400):
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
    app.config["SESSION_SALT"] = salt
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=lifetime_seconds)
    app.session_interface = RotatingSessionInterface()
    tagged = TaggedJSONSerializer()

    def described():
        data = {k: v for k, v in session.items() if k != "_permanent"}
        return {
            "data": data,
            "types": {k: type(v).__name__ for k, v in data.items()},
            "permanent": session.permanent,
        }

    @app.post("/set")
    def set_values():
        for key, value in request.get_json().items():
            if key == "permanent":
                session.permanent = bool(value)
            else:
                session[key] = value
        return jsonify(described())

    @app.post("/set-tagged")
    def set_tagged():
        # The body is Flask's tagged JSON: datetimes, tuples and the like come in as Python objects.
        for key, value in tagged.loads(request.get_data(as_text=True)).items():
            session[key] = value
        return jsonify(described())

    @app.get("/get")
    def get_values():
        return jsonify(described())

    @app.get("/tagged")
    def get_tagged():
        return jsonify({"tagged": tagged.dumps(dict(session)), "permanent": session.permanent})

    @app.post("/login")
    def login():
        session["username"] = request.get_json()["username"]
        session["logged_in"] = True
        return jsonify({"ok": True})

    @app.get("/whoami")
    def whoami():
        if session.get("logged_in") is not True:
            return jsonify({"username": None}), 401
        return jsonify({"username": session.get("username")})

    @app.post("/flash")
    def post_flash():
        body = request.get_json()
        flash(body["message"], body.get("category", "message"))
        return jsonify({"ok": True})

    @app.get("/flashes")
    def flashes():
        return jsonify(get_flashed_messages(with_categories=True))

    return app


def script_app(line):
    return make_app(line["secret"], line.get("fallbacks", []), line.get("salt", "cookie-session"))


def sign(lines):
    now = [0]
    # The signing time is the caller's: itsdangerous reads it from this method.
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: now[0]
    for line in lines:
        app = script_app(line)
        now[0] = line["timestamp"]
        with app.app_context():  # Flask's JSON settings (sorted keys, ASCII) come with the app
            interface = app.session_interface
            data = interface.serializer.loads(line["tagged"])
            if line.get("permanent"):
                data["_permanent"] = True
            cookie = interface.get_signing_serializer(app).dumps(data)
        yield {"cookie": cookie}


def load(lines):
    for line in lines:
        app = script_app(line)
        with app.app_context():
            interface = app.session_interface
            try:
                data = interface.get_signing_serializer(app).loads(
                    line["cookie"], max_age=line.get("max_age", 10 * 365 * 86400)
                )
            except BadSignature as error:
                yield {"ok": False, "error": type(error).__name__}
                continue
            permanent = data.pop("_permanent", False)
            yield {
                "ok": True,
                "tagged": interface.serializer.dumps(data),
                "plain": plain(data),
                "permanent": permanent,
            }


def plain(value):
    """Python's view of a value as plain JSON: a datetime as {"$date": seconds since the epoch}."""
    if isinstance(value, datetime):
        return {"$date": value.timestamp()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def main():
    if sys.argv[1] in ("--sign", "--load"):
        lines = (json.loads(text) for text in sys.stdin if text.strip())
        for result in (sign if sys.argv[1] == "--sign" else load)(lines):
            print(json.dumps(result), flush=True)
        return
    import os

    app = make_app(
        os.environ["FLASK_SECRET_KEY"],
        json.loads(os.environ.get("FLASK_SECRET_KEY_FALLBACKS", "[]")),
        lifetime_seconds=int(os.environ.get("FLASK_PERMANENT_LIFETIME", str(31 * 86400))),
    )
    app.run(host="127.0.0.1", port=int(sys.argv[1]))


if __name__ == "__main__":
    main()
