"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.contract.schemathesis_hooks): keep the run's
own admin key alive. Its stateful phase follows links from GET /api-keys/current to the
calling key's id and would revoke, regenerate or schedule the revoke of the key it
authenticates with, ending the run in 401s. Those calls are sent to a key made for the
purpose instead (MYSSL_DECOY_KEY_ID), which may then be revoked like any other."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

ADMIN_KEY_ID = os.environ["MYSSL_ADMIN_KEY_ID"]
DECOY_KEY_ID = os.environ["MYSSL_DECOY_KEY_ID"]
STATE_CHANGING = {"POST", "PATCH", "PUT", "DELETE"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if case.method.upper() in STATE_CHANGING and str(case.path_parameters.get("id")) == ADMIN_KEY_ID:
        case.path_parameters["id"] = int(DECOY_KEY_ID)
