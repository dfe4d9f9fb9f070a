"""Settings: defaults, then the config file, then NEWSARCHIVE_* variables, then create_app's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.errors import NewsarchiveError
from web.config import LOCAL_HOSTS, DEFAULTS, load_settings


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({"HOME": tmp_path}, environ={})
    assert settings == {**DEFAULTS, "HOME": tmp_path, "EMBED_ORIGINS": (), "CORS_ORIGINS": (),
                        "ALLOWED_HOSTS": LOCAL_HOSTS}


def test_layers_file_then_environment_then_arguments(tmp_path: Path) -> None:
    toml = tmp_path / "web.toml"
    toml.write_text('home = "/from/file"\nexport_cap = 50\nsite_name = "Research archive"\n'
                    'embed_origins = ["https://wiki.example.com", "http://localhost:8000"]\n')
    env = {"NEWSARCHIVE_CONFIG": str(toml), "NEWSARCHIVE_EXPORT_CAP": "70",
           "NEWSARCHIVE_CORS_ORIGINS": "https://a.example, https://b.example:8443"}
    settings = load_settings({"feed_size": 5}, environ=env)
    assert settings == {
        **DEFAULTS,
        "HOME": Path("/from/file"),
        "SITE_NAME": "Research archive",
        "EXPORT_CAP": 70,
        "FEED_SIZE": 5,
        "EMBED_ORIGINS": ("https://wiki.example.com", "http://localhost:8000"),
        "CORS_ORIGINS": ("https://a.example", "https://b.example:8443"),
        "ALLOWED_HOSTS": LOCAL_HOSTS,
    }


def test_python_config_file(tmp_path: Path) -> None:
    py = tmp_path / "web.py"
    py.write_text("EXPORT_CAP = 12\nEMBED_ORIGINS = 'https://wiki.example.com'\nlower = 1\n")
    settings = load_settings({"HOME": tmp_path}, environ={"NEWSARCHIVE_CONFIG": str(py)})
    assert (settings["EXPORT_CAP"], settings["EMBED_ORIGINS"]) == (12, ("https://wiki.example.com",))


@pytest.mark.parametrize(("env", "message"), [
    ({"NEWSARCHIVE_EXPORT_CAP": "lots"}, "NEWSARCHIVE_EXPORT_CAP must be a whole number, not 'lots'"),
    ({"NEWSARCHIVE_EXPORT_CAP": "0"}, "NEWSARCHIVE_EXPORT_CAP must be between 1 and 10000000, not 0"),
    ({"NEWSARCHIVE_EMBED_ORIGINS": "https://wiki.example.com/path"},
     "NEWSARCHIVE_EMBED_ORIGINS: 'https://wiki.example.com/path' is not an origin like https://wiki.example.com"),
    ({"NEWSARCHIVE_CORS_ORIGINS": "'self' javascript:x"},
     "NEWSARCHIVE_CORS_ORIGINS: \"'self'\" is not an origin like https://wiki.example.com"),
    ({"NEWSARCHIVE_CONFIG": "/nonexistent/web.toml"}, "/nonexistent/web.toml: cannot read the config file: No such file or directory"),
])
def test_bad_settings_are_explained(env: dict, message: str) -> None:
    with pytest.raises(NewsarchiveError) as info:
        load_settings({"HOME": "/tmp"}, environ=env)
    assert str(info.value) == message


def test_bad_toml_and_unknown_extension(tmp_path: Path) -> None:
    bad = tmp_path / "web.toml"
    bad.write_text("export_cap = = 3\n")
    with pytest.raises(NewsarchiveError, match="not valid TOML"):
        load_settings(environ={"NEWSARCHIVE_CONFIG": str(bad)})
    ini = tmp_path / "web.ini"
    ini.write_text("x")
    with pytest.raises(NewsarchiveError, match=r"must end in \.toml or \.py"):
        load_settings(environ={"NEWSARCHIVE_CONFIG": str(ini)})


def test_create_app_reads_nothing_until_a_request(tmp_path: Path) -> None:
    from web.app import create_app

    missing = tmp_path / "not-yet"
    app = create_app({"HOME": missing})
    assert app.config["HOME"] == missing
    assert not missing.exists()
