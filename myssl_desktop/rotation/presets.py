"""The usual command targets, as presets: each a form in the wizard and `--command-target
PRESET:FIELD=VALUE,...` in the command line. Each program reads the secret from its standard
input, as its own documentation says (README, "Command targets", names the sources):

| preset | program | how the secret goes in |
|---|---|---|
| github | `gh secret set NAME` | stdin, when `--body` is left out (gh trims a trailing newline) |
| vault | `vault kv patch -mount=M PATH FIELD=-` | stdin, for a value of `-` |
| docker | `docker secret create NAME_VERSION -` | stdin, for a file of `-`; immutable: one name per key |
| kubernetes | `kubectl create secret generic ... --from-file=KEY=/dev/stdin` piped into `kubectl apply -f -` | stdin |
| systemd | `systemd-creds encrypt --name=NAME - OUT` | stdin, for an input of `-` |
| fly | `fly secrets import` | `NAME=VALUE` lines on stdin |
| vercel | `vercel env add NAME ENV --force` | stdin, with no trailing newline |
| ssh | `ssh HOST 'umask 077; cat > PATH.new && mv PATH.new PATH'` | stdin, into a whole file |
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .targets import DEFAULT_VARIABLE, CommandTarget, Delivery


@dataclass(frozen=True)
class Field:
    key: str  # as in `--command-target PRESET:key=value`
    label: str  # for the wizard's form
    default: str = ""
    required: bool = False
    hint: str = ""  # a placeholder: an example value

    def value(self, values: Mapping[str, str]) -> str:
        return values.get(self.key, "").strip() or self.default


@dataclass(frozen=True)
class Preset:
    name: str
    title: str  # the wizard's choice, and the first words of a target's label
    fields: tuple[Field, ...]
    build: Callable[[Callable[[str], str]], CommandTarget]  # given the values by key
    warning: str = ""  # shown when the preset is chosen, and in the plan
    checks: str = ""  # what preflight checks, in words (README and the wizard)

    def target(self, values: Mapping[str, str], *, restart: tuple[str, ...] = ()) -> CommandTarget:
        """The command target for the form's or the command line's values. Raises ValueError
        with words for the user when a value is missing or wrong."""
        unknown = sorted(set(values) - {f.key for f in self.fields})
        if unknown:
            raise ValueError(f"The {self.name} preset has no field “{unknown[0]}” (it has: "
                             f"{', '.join(f.key for f in self.fields)}).")
        for field in self.fields:
            if field.required and not field.value(values):
                raise ValueError(f"The {self.name} preset needs {field.label.lower()} ({field.key}=…).")
        by_key = {f.key: f for f in self.fields}
        return replace(self.build(lambda key: by_key[key].value(values)), restart=restart, warning=self.warning)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _name(value: str, what: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(f"“{value}” is not a valid {what} (letters, digits and underscores).")
    return value


def _option(flag: str, value: str) -> list[str]:
    return [flag, value] if value else []


# --- the presets ------------------------------------------------------------------------------


def _github(v: Callable[[str], str]) -> CommandTarget:
    name = _name(v("name"), "secret name")
    scope = [*_option("--repo", v("repo")), *_option("--env", v("env")), *_option("--org", v("org"))]
    where = v("org") and f"organization {v('org')}" or v("repo") or "the current repository"
    if v("env"):
        where += f", environment {v('env')}"
    return CommandTarget(("gh", "secret", "set", name, *scope), check=("gh", "auth", "status"),
                         verify=("gh", "secret", "list", *scope), expect=name, preset="github",
                         title=f"GitHub Actions secret {name} of {where}")


def _vault(v: Callable[[str], str]) -> CommandTarget:
    mount, path, field = v("mount"), v("path"), v("field")
    return CommandTarget(("vault", "kv", "patch", f"-mount={mount}", path, f"{field}=-"),
                         check=("vault", "token", "lookup"),
                         verify=("vault", "kv", "get", f"-mount={mount}", f"-field={field}", path), expect="{prefix}",
                         preset="vault", title=f"Vault KV secret {mount}/{path}, field {field}")


def _docker(v: Callable[[str], str]) -> CommandTarget:
    name = v("name")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ValueError(f"“{name}” is not a valid Docker secret name.")
    versioned = f"{name}_{{version}}"
    return CommandTarget(("docker", "secret", "create", versioned, "-"), check=("docker", "secret", "ls", "--quiet"),
                         exists=("docker", "secret", "inspect", versioned),
                         verify=("docker", "secret", "inspect", "--format", "{{.Spec.Name}}", versioned),
                         preset="docker", title=f"Docker swarm secret {name}_<key>")


def _kubernetes(v: Callable[[str], str]) -> CommandTarget:
    name, key, namespace = v("name"), _name(v("key"), "key"), v("namespace")
    ns = _option("--namespace", namespace)
    return CommandTarget(("kubectl", "create", "secret", "generic", name, f"--from-file={key}=/dev/stdin",
                          "--dry-run=client", "--output=yaml", *ns),
                         pipe_to=("kubectl", "apply", "--filename=-", *ns),
                         check=("kubectl", "auth", "can-i", "create", "secrets", *ns),
                         verify=("kubectl", "get", "secret", name, *ns), preset="kubernetes",
                         title=f"Kubernetes secret {namespace + '/' if namespace else ''}{name}, key {key}")


def _systemd(v: Callable[[str], str]) -> CommandTarget:
    name, out = v("name"), v("out")
    return CommandTarget(("systemd-creds", "encrypt", f"--name={name}", "-", out), writable=out,
                         verify=("systemd-creds", "decrypt", f"--name={name}", out, "-"), expect="{prefix}",
                         preset="systemd", title=f"systemd credential {name} in {out}")


def _fly(v: Callable[[str], str]) -> CommandTarget:
    app, name = v("app"), _name(v("name"), "secret name")
    return CommandTarget(("fly", "secrets", "import", "--app", app), delivery=Delivery.ENV_LINE, variable=name,
                         check=("fly", "auth", "whoami"), verify=("fly", "secrets", "list", "--app", app),
                         expect=name, preset="fly", title=f"fly.io secret {name} of app {app}")


def _vercel(v: Callable[[str], str]) -> CommandTarget:
    name, environment, folder = _name(v("name"), "variable name"), v("env"), v("cwd")
    cwd = _option("--cwd", folder)
    return CommandTarget(("vercel", "env", "add", name, environment, "--force", *cwd), check=("vercel", "whoami", *cwd),
                         verify=("vercel", "env", "ls", environment, *cwd), expect=name, preset="vercel",
                         title=f"Vercel variable {name} ({environment})")


def _ssh(v: Callable[[str], str]) -> CommandTarget:
    host, path = v("host"), v("path")
    if host.startswith("-"):
        raise ValueError(f"“{host}” is not a host name.")
    quoted, new = shlex.quote(path), shlex.quote(path + ".new")
    folder = shlex.quote(path.rpartition("/")[0] or ".")
    batch = ("ssh", "-o", "BatchMode=yes", host)
    return CommandTarget((*batch, f"umask 077; cat > {new} && mv {new} {quoted}"),
                         check=(*batch, f"test -w {quoted} || {{ test ! -e {quoted} && test -w {folder}; }}"),
                         preset="ssh", title=f"File {path} on {host} (over ssh)")


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("github", "GitHub Actions secret", (
        Field("name", "Secret name", DEFAULT_VARIABLE), Field("repo", "Repository", hint="OWNER/REPO"),
        Field("env", "Environment", hint="production"), Field("org", "Organization", hint="acme")), _github,
        checks="gh is found and `gh auth status` passes"),
    Preset("vault", "Vault KV v2 secret", (
        Field("mount", "Mount", "secret"), Field("path", "Path", required=True, hint="myapp/config"),
        Field("field", "Field", DEFAULT_VARIABLE)), _vault,
        checks="vault is found and `vault token lookup` passes"),
    Preset("docker", "Docker swarm secret", (Field("name", "Secret name", "myssl_api_key"),), _docker,
           warning="Docker secrets cannot be changed: each key gets a secret of its own, named after the secret "
                   "name and the 4 characters after myssl_k_ in the key's prefix (myssl_api_key_ab12). Point your "
                   "services at it (a restart command such as docker service update --secret-rm … --secret-add …) "
                   "and remove the old one once nothing uses it.",
           checks="docker is found and `docker secret ls` passes (a swarm manager)"),
    Preset("kubernetes", "Kubernetes secret", (
        Field("name", "Secret name", "myssl-api-key"), Field("key", "Key", DEFAULT_VARIABLE),
        Field("namespace", "Namespace", hint="default")), _kubernetes,
        checks="kubectl is found and `kubectl auth can-i create secrets` passes"),
    Preset("systemd", "systemd credential", (
        Field("name", "Credential name", "myssl-api-key"),
        Field("out", "Output file", required=True, hint="/etc/credstore.encrypted/myssl-api-key")), _systemd,
        checks="systemd-creds is found and the output file (or its folder) is writable"),
    Preset("fly", "fly.io secret", (Field("app", "App", required=True, hint="my-app"),
                                    Field("name", "Secret name", DEFAULT_VARIABLE)), _fly,
           checks="fly is found and `fly auth whoami` passes"),
    Preset("vercel", "Vercel environment variable", (
        Field("name", "Variable name", DEFAULT_VARIABLE), Field("env", "Environment", "production"),
        Field("cwd", "Linked project folder", hint="~/src/my-app")), _vercel,
        checks="vercel is found and `vercel whoami` passes"),
    Preset("ssh", "File on a server (ssh)", (Field("host", "Host", required=True, hint="deploy@app.example.com"),
                                             Field("path", "File", required=True, hint="/etc/myapp/api-key")), _ssh,
           warning="This replaces the whole file with the key alone. For a .env file on a server, write a small "
                   "remote edit of your own instead (a generic command), so that its other lines stay.",
           checks="ssh is found and, over ssh, the file (or its folder) is writable"),
)}


def parse(spec: str, *, restart: tuple[str, ...] = ()) -> CommandTarget:
    """`PRESET:FIELD=VALUE,...` (the command line's `--command-target`). ValueError with words."""
    name, _, rest = spec.partition(":")
    preset = PRESETS.get(name.strip())
    if preset is None:
        raise ValueError(f"No preset “{name}”; the presets are: {', '.join(PRESETS)}.")
    values: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"“{item}” is not FIELD=VALUE (in --command-target {spec}).")
        values[key.strip()] = value.strip()
    return preset.target(values, restart=restart)


__all__ = ["PRESETS", "Field", "Preset", "parse"]
