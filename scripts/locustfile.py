"""Locust users for ``make load`` (scripts/load.py starts the server and writes the fixture file).

Five kinds of user, weighted as a working day might mix them: social workers (case list, a case
page, a form POST), meeting chairs (the tracker with filters, a step of a meeting), analysts (the
dashboard), API clients (a list and the changes feed, with a service-account token) and board
members (the pack archive and a pack download). People carry sessions that scripts/load.py made
past both sign-in steps, one per simulated user; every request goes as if through the TLS proxy.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

FIXTURES = json.loads(open(os.environ["PLO_LOAD_FIXTURES"], encoding="utf-8").read())  # noqa: SIM115
PROXY = {"X-Forwarded-Proto": "https"}
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_sessions = {role: itertools.cycle(keys) for role, keys in FIXTURES["sessions"].items()}
_tokens = itertools.cycle(FIXTURES["tokens"])
# Seconds each simulated user waits between requests (LOAD_WAIT="min,max"): 1-3 s by default, a
# person clicking as fast as they read; "10,30" is closer to someone working through a case.
WAIT_MIN, WAIT_MAX = (float(part) for part in os.environ.get("LOAD_WAIT", "1,3").split(","))


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        origin = self.host.replace("http://", "https://")
        self.client.headers.update({**PROXY, "Origin": origin, "Referer": origin + "/"})
        self.cookie = f"sessionid={next(_sessions[self.role])}"

    def page(self, path: str, name: str):
        with self.client.get(path, name=name, headers={"Cookie": self.cookie}, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} (expected 200)")
            return response

    def post_form(self, path: str, data: dict, name: str) -> None:
        form = self.page(path, f"{name} (form)")
        if form.status_code != 200:
            return
        hidden = dict(HIDDEN.findall(form.text))
        csrf = form.cookies.get("csrftoken") or self.client.cookies.get("csrftoken", "")
        headers = {"Cookie": f"{self.cookie}; csrftoken={csrf}"}
        with self.client.post(
            path, data={**hidden, **data}, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} (expected a redirect after saving)")


class SocialWorker(Person):
    weight = 10
    role = "social_worker"

    @task(4)
    def case_list(self) -> None:
        self.page("/cases/", "case list")

    @task(4)
    def case_page(self) -> None:
        self.page(f"/cases/{random.choice(FIXTURES['cases'])}/", "case page")  # noqa: S311 - not for security

    @task(1)
    def reminder_settings(self) -> None:
        self.post_form("/tasks/reminders/", {"task_reminders": random.choice(["yes", "no"])}, "form POST")  # noqa: S311


class Chair(Person):
    weight = 4
    role = "chair"

    @task(3)
    def tracker_filtered(self) -> None:
        self.page("/tracker/?flag=pp_over_threshold&sort=weeks", "tracker, filtered")

    @task(1)
    def tracker_page_two(self) -> None:
        self.page("/tracker/?page=2", "tracker, page 2")

    @task(2)
    def meeting_step(self) -> None:
        meeting = FIXTURES["meeting"]
        if meeting:
            position = random.randint(1, meeting["items"])  # noqa: S311
            self.page(f"/tracker/meetings/{meeting['id']}/cases/{position}/", "meeting step")


class Analyst(Person):
    weight = 2
    role = "analyst"

    @task
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard")


class ApiClient(HttpUser):
    weight = 3
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self) -> None:
        self.client.headers.update({**PROXY, "Authorization": f"Token {next(_tokens)}"})

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} (expected 200)")

    @task(2)
    def families(self) -> None:
        self._get("/api/v1/families/", "API families list")

    @task(1)
    def changes(self) -> None:
        self._get(f"/api/v1/families/?updated_since={FIXTURES['updated_since']}", "API changes feed")


class BoardMember(Person):
    weight = 1
    role = "board"

    @task(2)
    def archive(self) -> None:
        self.page("/board-packs/", "board pack archive")

    @task(1)
    def download(self) -> None:
        if FIXTURES["pack"]:
            self.page(f"/board-packs/{FIXTURES['pack']}/download/", "board pack download")
