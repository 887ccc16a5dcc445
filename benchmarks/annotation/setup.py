"""Prepares an annotation-app load test: the admin creates project `bench` (overlap 1) and
loads every unverified pair into its queue; each annotator signs in; their session cookies
and CSRF tokens go to a file, one "cookie csrf" line per annotator, for claim_answer.lua.

    python3 setup.py BASE_URL ADMIN ADMIN_PASSWORD ANNOTATOR_PREFIX COUNT PASSWORD SESSIONS_FILE

Uses the app's own forms (login, new project, load) with Python requests."""
import re
import sys

import requests

base, admin, admin_pw, prefix, count, password, out = sys.argv[1:8]
count = int(count)


def csrf(text):
    return re.search(r'name="csrf" value="([0-9a-f]+)"', text).group(1)


def login(name, pw):
    s = requests.Session()
    r = s.post(base + "/app/login", data={"csrf": csrf(s.get(base + "/app/login").text), "name": name, "password": pw})
    if r.status_code != 200 or "/app/login" in r.url:
        sys.exit(f"{name} could not sign in: {r.status_code} {r.url}")
    return s


a = login(admin, admin_pw)
token = csrf(a.get(base + "/app/admin").text)
r = a.post(base + "/app/admin/projects", data={"csrf": token, "name": "bench", "overlap": "1", "priority": "paper", "guideline": ""})
r.raise_for_status()
r = a.post(base + "/app/admin/projects/bench/load", data={"csrf": token, "tier": "unverified", "limit": "1000000"})
r.raise_for_status()
loaded = re.search(r"Loaded (\d+) pair", r.text).group(1)
print(f"project bench: loaded {loaded} pairs", file=sys.stderr)
with open(out, "w") as f:
    for i in range(count):
        s = login(f"{prefix}{i}", password)
        page = s.get(base + "/app/guideline?project=bench").text
        f.write(f"{s.cookies.get('synpref_session')} {csrf(page)}\n")
print(f"{count} annotators signed in", file=sys.stderr)
