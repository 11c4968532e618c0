"""Where a key lives is remembered in the profile and used for its next rotation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from myssl_desktop.rotation import EnvFileTarget, JournalStore, State
from myssl_desktop.rotation.targets import read_value
from tests.rotation.conftest import env_file


def test_targets_move_to_the_new_key_and_serve_the_next_rotation(engine, services, sandbox, app_key,
                                                                 signed_in, tmp_path: Path) -> None:
    path = env_file(tmp_path, app_key.secret)
    rotation = engine.finish(engine.advance(engine.plan(app_key.api_key, [EnvFileTarget.plan(path)],
                                                        quiet_period_s=0)))
    profile = services.profiles.load().find(signed_in.id)
    assert profile.targets_for(app_key.api_key.id) == []
    remembered = profile.targets_for(rotation.new_key_id)
    assert remembered == [{"kind": "env-file", "path": str(path.resolve()), "variable": "MYSSL_API_KEY"}]

    second = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "rotate", "--key", str(rotation.new_key_id),
                             "--quiet-period", "0s", "--yes"], capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "remembered" in second.stdout
    latest = [r for r in JournalStore(services.dirs.data).all() if r.id != rotation.id][0]
    assert latest.state == State.DONE
    assert read_value(path.read_bytes(), "MYSSL_API_KEY").startswith(latest.new_prefix)


def test_the_key_limit_names_unused_keys_to_revoke(services, sandbox, signed_in, app_key) -> None:
    from datetime import UTC, datetime, timedelta

    from myssl_desktop.api import MysslClient

    old = datetime.now(UTC) - timedelta(days=200)
    sandbox.store.create_key("Forgotten", ["domains:read"], created_at=old, last_used_at=old)
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    live = [k for k in admin.all_keys() if k.status in ("active", "expiring")]
    for n in range(25 - len(live)):
        admin.create_key(f"Filler {n}", ["domains:read"])
    result = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "rotate", "--key", "Production Server",
                             "--quiet-period", "0s", "--yes"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "25 active keys" in result.stderr and "unused: Forgotten" in result.stderr
    assert "keys revoke --key" in result.stderr
