"""Settings from the environment: production is deploy-clean, malformed values stop start-up."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.processes import database_url, manage, process_env, production_env

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def valid_database_url() -> str:
    # Settings are only loaded by `check`, never connected to, so any real database will do.
    return database_url(settings.DATABASES["default"])


def test_it_passes_the_deployment_checks_with_production_variables(valid_database_url):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(database_url=valid_database_url, redis_url=REDIS_URL),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://plo@127.0.0.1:3306/plo_tracker"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:port/plo_tracker"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432"),
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("REDIS_URL", "redis://127.0.0.1:6379/zero"),
        ("DEBUG", "sometimes"),
        ("PLO_MAX_YEARS_AHEAD", "five"),
        ("PLO_MAX_YEARS_AHEAD", "0"),
        ("PLO_MAX_YEARS_AHEAD", "101"),
        ("PLO_SIGN_IN_FAILURE_LIMIT", "0"),
        ("PLO_SIGN_IN_ADDRESS_FAILURE_LIMIT", "many"),
        ("PLO_SIGN_IN_COOL_OFF_MINUTES", "quarter of an hour"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("EMAIL_PORT", "smtp"),
        ("EMAIL_USE_TLS", "perhaps"),
        ("PLO_IDLE_TIMEOUT_MINUTES", "thirty"),
        ("PLO_IDLE_TIMEOUT_MINUTES", "0"),
        # Longer than the whole session (SESSION_COOKIE_AGE, 8 hours = 480 minutes) means no idle time-out.
        ("PLO_IDLE_TIMEOUT_MINUTES", "481"),
        ("PLO_RETENTION_YEARS", "six"),
        ("PLO_RETENTION_YEARS", "0"),
        ("PLO_RETENTION_YEARS", "101"),
        ("PLO_REMINDER_DAYS", "a week"),
        ("PLO_REMINDER_DAYS", "366"),
        ("PLO_SITE_URL", "plo-tracker.example.gov.uk"),
    ],
)
def test_it_refuses_to_start_with_a_malformed_variable(valid_database_url, variable, value):
    env = process_env(DATABASE_URL=valid_database_url, REDIS_URL=REDIS_URL, DEBUG="true")
    env[variable] = value
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1], result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_it_refuses_to_start_in_production_without_a_required_variable(valid_database_url, missing):
    env = production_env(database_url=valid_database_url, redis_url=REDIS_URL)
    del env[missing]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr.strip().splitlines()[-1], result.stderr
