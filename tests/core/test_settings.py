import os
import subprocess
import sys


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ptce", "check", "--deploy", "--fail-level", "WARNING"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"PTCE_ENV": "production", "PTCE_SECRET_KEY": "", "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "PTCE_SECRET_KEY" in result.stderr


def test_production_passes_the_deploy_check_once_secrets_are_given():
    result = _check(
        {
            "PTCE_ENV": "production",
            "PTCE_SECRET_KEY": "a-long-random-secret-for-tests-0123456789-abcdefghijklmnop",
            "PTCE_ALLOWED_HOSTS": "ptce.example.org",
            "DATABASE_URL": "",
        }
    )
    assert result.returncode == 0, result.stderr + result.stdout
