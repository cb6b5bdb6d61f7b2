#!/usr/bin/env python3
"""Generates server/src/main/resources/openapi.json, the OpenAPI document vpsd serves.

Edit this file, not the JSON: python3 scripts/openapi/generate.py (OpenApiGeneratedTest checks they agree)."""
import json
import sys

import os

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "server", "src", "main", "resources", "openapi.json")

REF = lambda name: {"$ref": "#/components/schemas/" + name}
RESP = lambda name: {"$ref": "#/components/responses/" + name}

TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
STATUSES = ["active", "stopped", "suspended", "error", "provisioning", "starting", "stopping", "rebooting", "deleting"]


def ts(desc, nullable=False):
    return {"type": ["string", "null"] if nullable else "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN,
            "description": desc}


def integer(desc, minimum=None, nullable=False, fmt="int64"):
    s = {"type": ["integer", "null"] if nullable else "integer", "format": fmt, "description": desc}
    if minimum is not None:
        s["minimum"] = minimum
    return s


def string(desc, nullable=False, **kw):
    s = {"type": ["string", "null"] if nullable else "string", "description": desc}
    s.update(kw)
    return s


def money(desc, nullable=False):
    return {"type": ["number", "null"] if nullable else "number", "description": desc}


def obj(props, required=None, desc=None, closed=True, example=None):
    s = {"type": "object"}
    if desc:
        s["description"] = desc
    s["properties"] = props
    s["required"] = list(props.keys()) if required is None else required
    if not s["required"]:
        del s["required"]
    if closed:
        s["additionalProperties"] = False
    if example is not None:
        s["examples"] = [example]
    return s


def page(item, what):
    return obj({
        "count": integer("How many " + what + " match the query in all (not only on this page).", 0),
        "next": string("Absolute URL of the next page, keeping the other query parameters; `null` on the last page.",
                       nullable=True, format="uri"),
        "previous": string("Absolute URL of the previous page, keeping the other query parameters; `null` on the first page.",
                           nullable=True, format="uri"),
        "results": {"type": "array", "items": REF(item), "description": "The " + what + " of this page, ordered by `id`."},
    }, desc="One page of " + what + ", Django REST Framework style: `count` is the total that matches, `next` and "
            "`previous` link the neighbouring pages.")


# ---------------------------------------------------------------- schemas

SERVER_SUMMARY_EXAMPLE = {
    "id": 12345, "name": "web-server-01", "hostname": "web01.example.com", "status": "active",
    "ip_address": "203.0.113.10", "location": "us-west",
    "plan": {"id": 1, "name": "Standard VPS", "vcpus": 2, "memory": 4096, "storage": 80},
    "os": {"id": 5, "name": "Ubuntu 22.04 LTS"},
    "created_at": "2025-01-10T14:30:00Z", "updated_at": "2025-01-15T10:20:00Z"}
SERVER_SUMMARY_EXAMPLE_2 = {
    "id": 12346, "name": "db-server-01", "hostname": "db01.example.com", "status": "active",
    "ip_address": "203.0.113.11", "location": "us-east",
    "plan": {"id": 2, "name": "Performance VPS", "vcpus": 4, "memory": 8192, "storage": 160},
    "os": {"id": 3, "name": "Debian 12"},
    "created_at": "2025-01-12T09:15:00Z", "updated_at": "2025-01-16T08:45:00Z"}
SERVER_CREATED_EXAMPLE = {
    "id": 12347, "name": "web-server-02", "hostname": "web02.example.com", "status": "provisioning",
    "ip_address": None, "location": "us-west",
    "plan": {"id": 1, "name": "Standard VPS", "vcpus": 2, "memory": 4096, "storage": 80},
    "os": {"id": 5, "name": "Ubuntu 22.04 LTS"}, "backups_enabled": True,
    "created_at": "2025-01-16T15:30:00Z", "updated_at": "2025-01-16T15:30:00Z",
    "message": "Server is being provisioned. This may take 2-5 minutes."}
SERVER_DETAIL_EXAMPLE = {
    "id": 12345, "name": "web-server-01", "hostname": "web01.example.com", "status": "active",
    "ip_address": "203.0.113.10", "ipv6_address": "2001:0db8::1", "location": "us-west",
    "plan": {"id": 1, "name": "Standard VPS", "vcpus": 2, "memory": 4096, "storage": 80, "bandwidth": 2048},
    "os": {"id": 5, "name": "Ubuntu 22.04 LTS"}, "backups_enabled": True,
    "resource_usage": {"cpu_percent": 23.5, "memory_used": 2048, "disk_used": 35, "bandwidth_used": 450},
    "created_at": "2025-01-10T14:30:00Z", "updated_at": "2025-01-16T15:45:00Z"}
SERVER_UPDATED_EXAMPLE = dict(SERVER_DETAIL_EXAMPLE, name="web-server-updated", hostname="web-updated.example.com",
                              updated_at="2025-01-16T16:00:00Z")

name_schema = string("The server's name: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen; "
                     "unique among the account's servers.", minLength=1, maxLength=63,
                     pattern="^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
HOSTNAME_PATTERN = ("^(?=.{1,253}\\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+"
                    "(?![0-9]+\\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$")
hostname_in = string("A fully qualified domain name: at least two dot-separated RFC 1123 labels of 1 to 63 letters, "
                     "digits and hyphens (not starting or ending with a hyphen), at most 253 characters, a top-level "
                     "label that is not all digits; one trailing dot is allowed.", minLength=1, maxLength=254,
                     pattern=HOSTNAME_PATTERN)
hostname_schema = string("The server's hostname: the fully qualified domain name it was given, or its name when it "
                         "was given none.", minLength=1, maxLength=254)
ipv4 = string("The server's public IPv4 address from its location's pool; `null` until the server is provisioned.",
              nullable=True, format="ipv4")
ipv6 = string("The server's public IPv6 address from its location's pool; `null` until the server is provisioned.",
              nullable=True, format="ipv6")
status_ref = REF("ServerStatus")
location_code = string("The code of the server's data-centre location, e.g. `us-west` (see `GET /api/v1/locations/`).")
created_at = ts("When the server was created (UTC, whole seconds).")
updated_at = ts("When the server last changed: its attributes or its status (UTC, whole seconds).")
backups = {"type": "boolean", "description": "Whether automatic backups are enabled."}

schemas = {}

schemas["ServerStatus"] = {
    "type": "string", "enum": STATUSES,
    "description": "A server's status. Resting statuses last until somebody acts: `active` (running), `stopped`, "
                   "`suspended` (powered off by the provider because the account's credit ran out; stays so, and refuses "
                   "`start`, until credit is added), `error` (an operation failed; `start` and `stop` are allowed to "
                   "recover). Transitional statuses last while vpsd drives the hypervisor: `provisioning` (then "
                   "`active`), `starting` (then `active`), `stopping` (then `stopped`), `rebooting` (then `active`), "
                   "`deleting` (then the server is gone: 404)."}

schemas["PlanRef"] = obj({
    "id": integer("The plan's id (see `GET /api/v1/plans/`).", 1),
    "name": string("The plan's name, e.g. `Standard VPS`."),
    "vcpus": integer("Virtual CPUs.", 1, fmt="int32"),
    "memory": integer("Memory in MB.", 1, fmt="int32"),
    "storage": integer("Disk in GB.", 1, fmt="int32"),
}, desc="The plan of a server, as embedded in list items and in the create response.")
schemas["PlanDetailRef"] = obj({
    "id": integer("The plan's id (see `GET /api/v1/plans/`).", 1),
    "name": string("The plan's name, e.g. `Standard VPS`."),
    "vcpus": integer("Virtual CPUs.", 1, fmt="int32"),
    "memory": integer("Memory in MB.", 1, fmt="int32"),
    "storage": integer("Disk in GB.", 1, fmt="int32"),
    "bandwidth": integer("Monthly transfer included, in GB.", 0, fmt="int32"),
}, desc="The plan of a server, as embedded in the server's detail: adds `bandwidth`.")
schemas["OsRef"] = obj({
    "id": integer("The operating system image's id (see `GET /api/v1/os/`).", 1),
    "name": string("The image's name, e.g. `Ubuntu 22.04 LTS`."),
}, desc="The operating system of a server.")
schemas["ResourceUsage"] = obj({
    "cpu_percent": {"type": "number", "minimum": 0, "description": "CPU use in percent of the server's vCPUs; 0 while it is off."},
    "memory_used": integer("Memory in use, in MB; 0 while the server is off.", 0),
    "disk_used": integer("Disk in use, in GB.", 0),
    "bandwidth_used": integer("Transfer this billing month, in GB.", 0),
}, desc="What a server uses, as last sampled. All zero before the server is provisioned.")

schemas["ServerSummary"] = obj({
    "id": integer("The server's id.", 1), "name": name_schema, "hostname": hostname_schema, "status": status_ref,
    "ip_address": ipv4, "location": location_code, "plan": REF("PlanRef"), "os": REF("OsRef"),
    "created_at": created_at, "updated_at": updated_at,
}, desc="A server as an item of `GET /api/v1/servers/`.", example=SERVER_SUMMARY_EXAMPLE)
schemas["ServerCreated"] = obj({
    "id": integer("The new server's id.", 1), "name": name_schema, "hostname": hostname_schema,
    "status": dict(REF("ServerStatus"), description="`provisioning`: the server is being built."),
    "ip_address": dict(ipv4, description="`null`: addresses are assigned when provisioning completes."),
    "location": location_code, "plan": REF("PlanRef"), "os": REF("OsRef"), "backups_enabled": backups,
    "created_at": created_at, "updated_at": updated_at,
    "message": string("`Server is being provisioned. This may take 2-5 minutes.`"),
}, desc="The body of `201 Created` after `POST /api/v1/servers/`: the new server, still `provisioning`, and a message. "
        "Follow it with `GET /api/v1/servers/{server_id}/` until `status` is `active`.", example=SERVER_CREATED_EXAMPLE)
schemas["ServerDetail"] = obj({
    "id": integer("The server's id.", 1), "name": name_schema, "hostname": hostname_schema, "status": status_ref,
    "ip_address": ipv4, "ipv6_address": ipv6, "location": location_code, "plan": REF("PlanDetailRef"),
    "os": REF("OsRef"), "backups_enabled": backups, "resource_usage": REF("ResourceUsage"),
    "created_at": created_at, "updated_at": updated_at,
}, desc="A server in detail, as `GET`, `PUT` and `PATCH /api/v1/servers/{server_id}/` return it.",
    example=SERVER_DETAIL_EXAMPLE)
schemas["ServerRef"] = obj({
    "id": integer("The server's id.", 1), "name": name_schema,
    "status": dict(REF("ServerStatus"), description="The status the action put the server in: `starting`, `stopping` or `rebooting`."),
}, desc="The short server inside an action body.")
schemas["ActionResult"] = obj({
    "status": string("`success`: the action was accepted.", enum=["success"]),
    "message": string("What is happening: `Server is starting`, `Server is stopping` or `Server is rebooting`."),
    "server": REF("ServerRef"),
}, desc="The body of `start`, `stop` and `reboot`. The action is accepted, not finished: the server is in the "
        "transitional status and reaches its resting status when the hypervisor is done.",
    example={"status": "success", "message": "Server is starting",
             "server": {"id": 12345, "name": "web-server-01", "status": "starting"}})
schemas["ServerSummaryPage"] = page("ServerSummary", "servers")

schemas["CreateServer"] = obj({
    "name": name_schema,
    "plan_id": integer("The id of an available plan (see `GET /api/v1/plans/`).", 1),
    "os_id": integer("The id of an available operating system image (see `GET /api/v1/os/`).", 1),
    "location": string("The code of an available data-centre location, e.g. `us-west` (see `GET /api/v1/locations/`)."),
    "hostname": dict(hostname_in, type=["string", "null"],
                     description="Optional: the server's hostname, " + hostname_in["description"][0].lower()
                                 + hostname_in["description"][1:] + " Defaults to the name."),
    "ssh_key_id": integer("Optional: the id of one of the account's SSH keys (see `GET /api/v1/ssh-keys/`), installed "
                          "for root.", 1, nullable=True),
    "backups_enabled": {"type": "boolean", "default": False, "description": "Optional: enable automatic backups (default `false`)."},
}, required=["name", "plan_id", "os_id", "location"],
    desc="The body of `POST /api/v1/servers/`. Numbers must be JSON integers and strings JSON strings. Any other field, "
         "including the read-only fields of a server (`id`, `status`, ...), is refused with 400 naming it.",
    example={"name": "web-server-02", "plan_id": 1, "os_id": 5, "location": "us-west",
             "hostname": "web02.example.com", "backups_enabled": True})
schemas["UpdateServer"] = obj({
    "name": name_schema, "hostname": dict(hostname_in, description="The server's hostname. " + hostname_in["description"]),
    "backups_enabled": {"type": "boolean", "description": "Enable or disable automatic backups."},
}, desc="The body of `PUT /api/v1/servers/{server_id}/`: every field is required. Read-only fields (`id`, `status`, "
        "`plan_id`, `os_id`, `location`, ...) and unknown fields are refused with 400 naming them.",
    example={"name": "web-server-updated", "hostname": "web-updated.example.com", "backups_enabled": True})
schemas["PatchServer"] = obj({
    "name": name_schema, "hostname": dict(hostname_in, description="The server's hostname. " + hostname_in["description"]),
    "backups_enabled": {"type": "boolean", "description": "Enable or disable automatic backups."},
}, required=[], desc="The body of `PATCH /api/v1/servers/{server_id}/`: only the given fields change; an empty object "
                     "changes nothing. Read-only and unknown fields are refused with 400 naming them.",
    example={"name": "new-server-name"})

schemas["Plan"] = obj({
    "id": integer("The plan's id: what `plan_id` names.", 1),
    "name": string("The plan's name."),
    "vcpus": integer("Virtual CPUs.", 1, fmt="int32"),
    "memory": integer("Memory in MB.", 1, fmt="int32"),
    "storage": integer("Disk in GB.", 1, fmt="int32"),
    "bandwidth": integer("Monthly transfer included, in GB.", 0, fmt="int32"),
    "price_hourly": money("Price per hour of a server's existence, in the provider's currency. Credit is prepaid: "
                          "creating a server needs a balance that covers at least the first hour."),
    "price_monthly": money("The hourly price times 730 hours, for comparison."),
}, desc="A plan customers can order.", example={"id": 1, "name": "Standard VPS", "vcpus": 2, "memory": 4096, "storage": 80,
                                               "bandwidth": 2048, "price_hourly": 0.03, "price_monthly": 21.90})
schemas["PlanPage"] = page("Plan", "plans")
schemas["OperatingSystem"] = obj({
    "id": integer("The image's id: what `os_id` names.", 1),
    "name": string("The image's name."),
}, desc="An operating system image customers can install.", example={"id": 5, "name": "Ubuntu 22.04 LTS"})
schemas["OperatingSystemPage"] = page("OperatingSystem", "operating system images")
schemas["Location"] = obj({
    "id": integer("The location's id.", 1),
    "code": string("The code a create body's `location` names, e.g. `us-west`.", pattern="^[a-z0-9][a-z0-9-]{0,31}$"),
    "name": string("The location's name, e.g. `US West`."),
}, desc="A data-centre location customers can deploy in.", example={"id": 1, "code": "us-west", "name": "US West"})
schemas["LocationPage"] = page("Location", "locations")
schemas["SshKey"] = obj({
    "id": integer("The key's id: what a create body's `ssh_key_id` names.", 1),
    "name": string("The key's name."),
    "fingerprint": string("The key's SHA-256 fingerprint, as `ssh-keygen -l` shows it.", pattern="^SHA256:"),
    "public_key": string("The public key in OpenSSH format."),
    "created_at": ts("When the key was added (UTC, whole seconds)."),
}, desc="An SSH public key of the account, to install for root on new servers.",
    example={"id": 7, "name": "laptop", "fingerprint": "SHA256:Kz/RQKQ0kY7RRjbNVrKA7f/WNYESARuQ7JZVWkoxZxQ",
             "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbp1fDRn0a4FRHbD3rTl8P4gsjU6gqvGVvrfmTeXE4h laptop",
             "created_at": "2025-01-10T14:30:00Z"})
schemas["SshKeyPage"] = page("SshKey", "SSH keys")
schemas["CreateSshKey"] = obj({
    "name": string("Optional: a name of 1 to 100 characters; defaults to the key's comment, else its fingerprint.",
                   nullable=True, minLength=1, maxLength=100),
    "public_key": string("An OpenSSH public key line: `ssh-ed25519 AAAA... comment`, `ssh-rsa ...` or `ecdsa-sha2-...`. "
                         "A key the account has already registered is refused."),
}, required=["public_key"], desc="The body of `POST /api/v1/ssh-keys/`.",
    example={"name": "laptop", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbp1fDRn0a4FRHbD3rTl8P4gsjU6gqvGVvrfmTeXE4h laptop"})

schemas["Detail"] = obj({"detail": string("What went wrong, for a human.")},
                        desc="An error that is not about one field (Django REST Framework's shape): authentication, "
                             "permission, not found, payment required, an action the server's status does not allow, a "
                             "malformed body, and so on.", example={"detail": "Not found."})
schemas["FieldErrors"] = {
    "type": "object",
    "description": "Invalid fields (Django REST Framework's shape): each key names a field of the body or a query "
                   "parameter, each value lists its messages. `non_field_errors` is about the body as a whole (e.g. not "
                   "a JSON object). Unknown fields are reported as `Unknown field.`, read-only ones as `This field is "
                   "read-only.`.",
    "minProperties": 1,
    "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "examples": [{"name": ["This field is required."], "plan_id": ["Invalid pk \"9\" - object does not exist."]}],
}
schemas["BadRequest"] = {
    "description": "A 400 body: field errors, or a `detail` (malformed JSON, or an action the server's status does not allow).",
    "oneOf": [REF("FieldErrors"), REF("Detail")],
}

schemas["Health"] = obj({"status": string("`ok`.", enum=["ok"])}, desc="The process is up.")
schemas["Readiness"] = obj({"status": string("`ready`.", enum=["ready"])}, desc="The process can serve: its database answers.")
schemas["OpenApiDocument"] = {
    "type": "object", "description": "An OpenAPI 3.1 document: this one.",
    "required": ["openapi", "info", "paths"],
    "properties": {"openapi": {"type": "string", "pattern": "^3\\.1\\.[0-9]+$"}, "info": {"type": "object"},
                   "paths": {"type": "object"}},
}

# admin
schemas["AdminStatus"] = obj({
    "replica": string("This process's replica id."),
    "mode": string("`production` or `development`.", enum=["production", "development"]),
    "database": string("The database kind, e.g. `PostgreSQL` or `H2 (embedded)`."),
    "driver": string("The hypervisor driver, e.g. `simulated` or `libvirt`."),
    "time_scale": {"type": "number", "exclusiveMinimum": 0, "description": "How much faster than real time the simulated hypervisor runs (1 otherwise)."},
    "billing_period_seconds": integer("The billing period, in seconds (3600 in production).", 1),
    "engine_in_flight": integer("Operations the engine is running now in this process.", 0, fmt="int32"),
    "pending_operations": integer("Operations waiting or running, in all replicas.", 0),
}, desc="The state of the vpsd process that answered.")
account_props = {
    "id": integer("The account's id.", 1),
    "name": string("The account's name, unique."),
    "balance": money("The prepaid credit left, in the provider's currency. Servers are charged per hour of existence."),
    "suspended": {"type": "boolean", "description": "Whether the credit ran out and the account's servers were suspended."},
    "created_at": ts("When the account was created."),
}
schemas["Account"] = obj(dict(account_props), desc="A customer account.")
schemas["CreatedAccount"] = obj(dict(account_props, token=string("The account's first API token. Shown only once: store it.")),
                                desc="A new customer account and its first token.")
schemas["AccountPage"] = page("Account", "accounts")
schemas["CreateAccount"] = obj({
    "name": string("A unique name of 1 to 100 characters.", minLength=1, maxLength=100),
    "credit": {"type": ["number", "string", "null"], "description": "Optional initial credit, 0 or more, at most 6 decimals; "
                                                                     "a JSON number or a numeric string. Default 0."},
}, required=["name"], desc="The body of `POST /admin/v1/accounts/`.", example={"name": "acme", "credit": 25})
schemas["AddCredit"] = obj({
    "amount": {"type": ["number", "string"], "description": "The amount to add: more than 0, at most 6 decimals; a JSON "
                                                            "number or a numeric string."},
    "note": string("Optional: a note for the ledger (default `Credit`).", nullable=True),
}, required=["amount"], desc="The body of `POST /admin/v1/accounts/{account_id}/credit/`.",
    example={"amount": 50, "note": "Bank transfer 2025-01-16"})
schemas["LedgerEntry"] = obj({
    "id": integer("The entry's id; entries are ordered by it.", 1),
    "server_id": integer("The server charged; `null` for a credit.", 1, nullable=True),
    "kind": string("`credit` (added by the provider) or `charge` (one billing period of one server).", enum=["credit", "charge"]),
    "period": integer("For a charge, the billing period counted from 0 (the server's first hour, charged at creation); "
                      "`null` for a credit.", 0, nullable=True, fmt="int32"),
    "amount": money("Positive for a credit, negative for a charge."),
    "balance_after": money("The account's balance after this entry."),
    "created_at": ts("When the entry was made."),
    "note": string("A note; `null` for charges.", nullable=True),
}, desc="A movement of an account's balance.")
schemas["LedgerEntryList"] = obj({"results": {"type": "array", "items": REF("LedgerEntry")}},
                                 desc="Ledger entries after `after`, at most `limit`, ordered by id.")
token_props = {
    "id": integer("The token's id (to revoke it).", 1),
    "account_id": integer("The account the token speaks for; `null` for an admin token.", 1, nullable=True),
    "name": string("The token's name."),
    "hint": string("The first characters of the secret, to recognise it by."),
    "created_at": ts("When the token was issued."),
}
schemas["Token"] = obj(dict(token_props, revoked_at=ts("When the token was revoked; `null` while it is valid.", nullable=True)),
                       desc="An API token as stored: the secret itself is never shown again.")
schemas["CreatedToken"] = obj(dict(token_props, token=string("The secret, to send as `Authorization: Bearer <token>`. Shown only once.")),
                              desc="A new token with its secret.")
schemas["TokenList"] = obj({"results": {"type": "array", "items": REF("Token")}}, desc="Tokens, ordered by id.")
schemas["CreateToken"] = obj({"name": string("Optional: a name of at most 100 characters (default `token`, or `admin`).",
                                             nullable=True, maxLength=100)},
                             required=[], desc="The body of a token creation.", example={"name": "ci"})
schemas["OperationName"] = {"type": "string", "enum": ["provision", "start", "stop", "reboot", "delete", "suspend"],
                            "description": "Work the engine does for a server."}
schemas["PendingTask"] = obj({
    "operation": REF("OperationName"),
    "step": integer("The step of the operation reached.", 0, fmt="int32"),
    "attempts": integer("Failed attempts of the current step.", 0, fmt="int32"),
    "run_at": ts("When the engine runs the next step."),
    "deadline": ts("When the current step gives up waiting (e.g. a graceful shutdown is forced); `null` if none.", nullable=True),
    "last_error": string("The last failure, if any.", nullable=True),
}, desc="The operation the engine has yet to finish for a server.")
schemas["ServerEvent"] = obj({
    "at": ts("When it happened."),
    "kind": string("What happened, e.g. `created`, `start`, `active`, `error`, `retry`, `suspended`, `reconciled`."),
    "message": string("For a human."),
}, desc="An entry of a server's history.")
admin_server_props = {
    "id": integer("The server's id.", 1),
    "account_id": integer("The account that owns it.", 1),
    "name": string("The server's name."), "hostname": string("The server's hostname."),
    "status": status_ref,
    "status_detail": string("Why the server is in its status (e.g. the error), if known.", nullable=True),
    "ip_address": string("IPv4 address; `null` until provisioned.", nullable=True, format="ipv4"),
    "ipv6_address": string("IPv6 address; `null` until provisioned.", nullable=True, format="ipv6"),
    "location": location_code,
    "plan_id": integer("The plan's id.", 1), "os_id": integer("The operating system image's id.", 1),
    "host_id": integer("The hypervisor host it runs on; `null` if none is assigned (or the driver has no hosts).", 1, nullable=True),
}
schemas["AdminServer"] = obj(dict(admin_server_props, created_at=created_at, updated_at=updated_at,
                                  provisioned_at=ts("When provisioning completed; `null` before.", nullable=True)),
                             desc="A server as the provider sees it.")
schemas["AdminServerDetail"] = obj(dict(admin_server_props,
                                        machine=string("The name of the server's machine on the hypervisor."),
                                        hourly_price=money("The price per hour this server is charged."),
                                        created_at=created_at, updated_at=updated_at,
                                        provisioned_at=ts("When provisioning completed; `null` before.", nullable=True),
                                        pending={"oneOf": [REF("PendingTask"), {"type": "null"}],
                                                 "description": "The unfinished operation, or `null`."},
                                        events={"type": "array", "items": REF("ServerEvent"),
                                                "description": "The last 50 events of the server's history."}),
                                   desc="A server as the provider sees it, with its pending work and recent history.")
schemas["AdminServerPage"] = page("AdminServer", "servers")
schemas["UnknownMachines"] = obj({
    "count": integer("How many.", 0, fmt="int32"),
    "results": {"type": "array", "items": obj({"name": string("The machine's name."),
                                               "host": string("The hypervisor host it is on.")})},
}, desc="Machines found on the hypervisors that no server of vpsd accounts for.")

# catalog
range_props_out = {
    "cidr": string("The block, e.g. `203.0.113.0/24` or `2001:db8::/64`."),
    "gateway": string("The gateway address in the block, if any.", nullable=True),
    "pool_size": integer("How many addresses of the block are pooled (IPv6); `null` in this view.", 1, nullable=True, fmt="int32"),
}
host_props_out = {
    "name": string("The host's unique name."),
    "uri": string("How the driver reaches it, e.g. `qemu+ssh://root@kvm1/system`."),
    "vcpus": integer("Physical CPUs offered.", 1, fmt="int32"),
    "memory": integer("Memory offered, in MB.", 64, fmt="int32"),
    "cpu_ratio": {"type": "number", "exclusiveMinimum": 0, "description": "vCPU overcommit ratio."},
    "memory_ratio": {"type": "number", "exclusiveMinimum": 0, "description": "Memory overcommit ratio."},
    "domain_type": string("`kvm` or `qemu`.", enum=["kvm", "qemu"]),
    "bridge": string("The network bridge, if any.", nullable=True),
    "enabled": {"type": "boolean", "description": "Whether new servers may be placed on it."},
}
schemas["CatalogPlan"] = obj({
    "id": integer("The plan's id.", 1), "name": string("The plan's name."),
    "vcpus": integer("Virtual CPUs.", 1, fmt="int32"), "memory": integer("Memory in MB.", 64, fmt="int32"),
    "storage": integer("Disk in GB.", 1, fmt="int32"), "bandwidth": integer("Monthly transfer in GB.", 0, fmt="int32"),
    "price_hourly": money("Price per hour."), "available": {"type": "boolean", "description": "Whether it takes new servers."},
}, desc="A plan of the catalog.")
schemas["CatalogOs"] = obj({
    "id": integer("The image's id.", 1), "name": string("The image's name."),
    "image": string("The image the driver installs."), "available": {"type": "boolean", "description": "Whether it takes new servers."},
}, desc="An operating system image of the catalog.")
schemas["CatalogAddressRange"] = obj(range_props_out, desc="An address block of a location.")
schemas["CatalogHost"] = obj(host_props_out, desc="A hypervisor host of a location.")
schemas["CatalogLocation"] = obj({
    "code": string("The location's code.", pattern="^[a-z0-9][a-z0-9-]{0,31}$"), "name": string("The location's name."),
    "available": {"type": "boolean", "description": "Whether it takes new servers."},
    "ipv4": {"type": "array", "items": REF("CatalogAddressRange")},
    "ipv6": {"type": "array", "items": REF("CatalogAddressRange")},
    "dns": {"type": "array", "items": {"type": "string"}, "description": "Resolver addresses given to servers."},
    "hosts": {"type": "array", "items": REF("CatalogHost")},
}, desc="A location of the catalog with its address pools and hosts.")
schemas["CatalogDocument"] = obj({
    "plans": {"type": "array", "items": REF("CatalogPlan")},
    "os": {"type": "array", "items": REF("CatalogOs")},
    "locations": {"type": "array", "items": REF("CatalogLocation")},
}, desc="The provider's catalog, in the shape of the catalog file (memory in MB, storage and bandwidth in GB, prices per hour).")


def opt(s, nullable=True):
    s = dict(s)
    if nullable and isinstance(s.get("type"), str):
        s["type"] = [s["type"], "null"]
    return s


schemas["CatalogUpdate"] = obj({
    "plans": {"type": ["array", "null"], "items": obj({
        "id": integer("A positive, unique id.", 1), "name": string("1 to 100 characters.", minLength=1, maxLength=100),
        "vcpus": integer("At least 1.", 1, fmt="int32"), "memory": integer("MB, at least 64.", 64, fmt="int32"),
        "storage": integer("GB, at least 1.", 1, fmt="int32"), "bandwidth": integer("GB per month, 0 or more.", 0, fmt="int32"),
        "price_hourly": {"type": ["number", "null"], "minimum": 0, "description": "Per hour, at most 6 decimals (default 0)."},
        "available": {"type": ["boolean", "null"], "description": "Default `true`."},
    }, required=["id", "name", "vcpus", "memory", "storage"])},
    "os": {"type": ["array", "null"], "items": obj({
        "id": integer("A positive, unique id.", 1), "name": string("1 to 100 characters.", minLength=1, maxLength=100),
        "image": string("The image the driver installs (default: the name).", nullable=True),
        "available": {"type": ["boolean", "null"], "description": "Default `true`."},
    }, required=["id", "name"])},
    "locations": {"type": ["array", "null"], "items": obj({
        "code": string("Unique, 1 to 32 of `a-z 0-9 -`.", pattern="^[a-z0-9][a-z0-9-]{0,31}$"),
        "name": string("Default: the code.", nullable=True),
        "available": {"type": ["boolean", "null"], "description": "Default `true`."},
        "ipv4": {"type": ["array", "null"], "minItems": 1, "items": obj({
            "cidr": string("An IPv4 block of /12 or smaller."), "gateway": string("In the block.", nullable=True),
            "pool_size": integer("Ignored for IPv4.", 1, nullable=True, fmt="int32")}, required=["cidr"])},
        "ipv6": {"type": ["array", "null"], "minItems": 1, "items": obj({
            "cidr": string("An IPv6 prefix of /120 or larger."), "gateway": string("In the prefix.", nullable=True),
            "pool_size": integer("How many addresses to pool (default 65536).", 1, nullable=True, fmt="int32")},
            required=["cidr"])},
        "dns": {"type": ["array", "null"], "items": {"type": "string"}},
        "hosts": {"type": ["array", "null"], "items": obj({
            "name": string("Unique."), "uri": string("How the driver reaches the host."),
            "vcpus": integer("At least 1.", 1, fmt="int32"), "memory": integer("MB, at least 64.", 64, fmt="int32"),
            "cpu_ratio": {"type": ["number", "null"], "exclusiveMinimum": 0, "description": "Default 4."},
            "memory_ratio": {"type": ["number", "null"], "exclusiveMinimum": 0, "description": "Default 1."},
            "domain_type": {"type": ["string", "null"], "enum": ["kvm", "qemu", None], "description": "Default `kvm`."},
            "bridge": string("The network bridge.", nullable=True),
            "enabled": {"type": ["boolean", "null"], "description": "Default `true`."},
        }, required=["name", "uri", "vcpus", "memory"])},
    }, required=["code", "ipv4", "ipv6"])},
}, required=[], desc="A catalog document to apply (YAML or JSON): what it names is created or updated; plans, images and "
                     "locations it no longer names are kept (servers refer to them) but take no new servers; hosts it no "
                     "longer names are disabled; address ranges are only ever added. Unknown fields are refused.")
schemas["CatalogApplied"] = obj({
    "plans": integer("Plans in the document.", 0, fmt="int32"),
    "os_images": integer("Images in the document.", 0, fmt="int32"),
    "locations": integer("Locations in the document.", 0, fmt="int32"),
    "hosts": integer("Hosts in the document.", 0, fmt="int32"),
    "addresses_added": integer("Addresses added to the pools by new ranges.", 0, fmt="int32"),
}, desc="What applying a catalog document did.")

SIM_OPS = ["create", "start", "shutdown", "power_off", "reboot", "reset", "delete", "state", "usage"]
schemas["SimulatorOperation"] = {"type": "string", "enum": SIM_OPS, "description": "A call of the simulated hypervisor."}
schemas["SimulatorFault"] = obj({
    "operation": REF("SimulatorOperation"),
    "fail_next": integer("How many of the next calls fail.", 0, fmt="int32"),
    "failure_rate": {"type": "number", "minimum": 0, "maximum": 1, "description": "The probability that any other call fails."},
    "message": string("The failure's message.", nullable=True),
}, desc="A fault injected into the simulated hypervisor.")
schemas["SimulatorState"] = obj({
    "operations": {"type": "array", "items": REF("SimulatorOperation"), "description": "The operations faults can be set on."},
    "ignore_acpi": {"type": "boolean", "description": "Whether guests ignore graceful shutdown and reboot requests."},
    "faults": {"type": "array", "items": REF("SimulatorFault")},
}, desc="The simulated hypervisor's fault settings.")
schemas["SetSimulatorFault"] = obj({
    "fail_next": integer("How many of the next calls fail: 0 to 1000000 (default 0).", 0, nullable=True, fmt="int32"),
    "failure_rate": {"type": ["number", "string", "null"], "description": "The probability, 0 to 1, that any call fails (default 0)."},
    "message": string("The failure's message.", nullable=True),
}, required=[], desc="The body of `PUT /admin/v1/simulator/faults/{operation}/`.", example={"fail_next": 1})
schemas["SetIgnoreAcpi"] = obj({"ignore": {"type": "boolean", "description": "Whether guests ignore graceful shutdown and reboot."}},
                               desc="The body of `PUT /admin/v1/simulator/ignore-acpi/`.", example={"ignore": True})

# ---------------------------------------------------------------- responses

JSON = "application/json"


def detail_response(desc, example, headers=None):
    r = {"description": desc, "content": {JSON: {"schema": REF("Detail"), "example": {"detail": example}}}}
    if headers:
        r["headers"] = headers
    return r


responses = {
    "Unauthorized": detail_response(
        "No valid token: the `Authorization` header is missing, malformed or names an unknown or revoked token. "
        "Messages are Django REST Framework's: `Authentication credentials were not provided.`, `Invalid token.`, ...",
        "Authentication credentials were not provided.",
        {"WWW-Authenticate": {"description": "`Bearer realm=\"api\"`.", "required": True, "schema": {"type": "string"}}}),
    "CustomerForbidden": detail_response(
        "The token is the provider's admin token: customer endpoints need a customer's token (admin tokens act "
        "through `/admin/v1/`).", "This endpoint needs a customer's token; admin tokens act through /admin/v1/."),
    "AdminForbidden": detail_response("The token is a customer's: this endpoint needs an admin token.",
                                      "You do not have permission to perform this action."),
    "NotFound": detail_response("Not found: no such id for this account (another account's object is not found "
                                "either), an id that is not a positive integer, or a path vpsd does not serve.", "Not found."),
    "PageNotFound": detail_response("`page` is past the last page (or not a positive integer): `Invalid page.`",
                                    "Invalid page."),
    "MethodNotAllowed": {
        "description": "The path exists but not with this method. Every path of this document answers 405 to the methods "
                       "it does not list; `Allow` lists those it does.",
        "headers": {"Allow": {"description": "The methods the path serves, e.g. `GET, POST`.", "required": True,
                              "schema": {"type": "string"}}},
        "content": {JSON: {"schema": REF("Detail"), "example": {"detail": "Method \"DELETE\" not allowed."}}}},
    "PayloadTooLarge": detail_response("The body is larger than 64 KiB (4 MiB for a catalog document).",
                                       "Request body too large: the limit is 65536 bytes."),
    "UnsupportedMediaType": detail_response(
        "The body is not JSON: send `Content-Type: application/json` (any `+json` type, no type, or curl's default "
        "`application/x-www-form-urlencoded` with a body that starts with `{` are read as JSON too).",
        "Unsupported media type \"text/plain\" in request."),
    "ServiceUnavailable": detail_response(
        "The database cannot be reached for now; nothing was changed. Retry after the `Retry-After` delay.",
        "Service temporarily unavailable: the database cannot be reached. Try again shortly.",
        {"Retry-After": {"description": "Seconds to wait before retrying.", "required": True,
                         "schema": {"type": "string", "pattern": "^[0-9]+$"}}}),
    "InvalidQuery": {"description": "A query parameter is invalid, e.g. an unknown `status`, an unknown `location`, or a "
                                    "`page_size` below 1. The body names the parameter.",
                     "content": {JSON: {"schema": REF("FieldErrors"),
                                        "example": {"status": ["Select a valid choice. bogus is not one of the available choices."]}}}},
    "NotSimulated": detail_response("Not found, or vpsd runs another hypervisor driver than the simulator.",
                                    "The simulator is not in use: vpsd runs another driver."),
}


def bad_request(desc, example):
    return {"description": desc, "content": {JSON: {"schema": REF("BadRequest"), "example": example}}}


# ---------------------------------------------------------------- parameters

parameters = {
    "ServerId": {"name": "server_id", "in": "path", "required": True, "description": "The server's unique id.",
                 "schema": {"type": "integer", "format": "int64", "minimum": 1}, "example": 12345},
    "SshKeyId": {"name": "key_id", "in": "path", "required": True, "description": "The SSH key's id.",
                 "schema": {"type": "integer", "format": "int64", "minimum": 1}},
    "AccountId": {"name": "account_id", "in": "path", "required": True, "description": "The account's id.",
                  "schema": {"type": "integer", "format": "int64", "minimum": 1}},
    "TokenId": {"name": "token_id", "in": "path", "required": True, "description": "The token's id.",
                "schema": {"type": "integer", "format": "int64", "minimum": 1}},
    "Page": {"name": "page", "in": "query", "required": False,
             "description": "The page to return, from 1 (default 1). A page past the last one is 404 `Invalid page.`",
             "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "PageSize": {"name": "page_size", "in": "query", "required": False,
                 "description": "Items per page: default 50; values above 500 are served as 500. Below 1 is 400.",
                 "schema": {"type": "integer", "minimum": 1, "default": 50}},
    "StatusFilter": {"name": "status", "in": "query", "required": False,
                     "description": "Only servers in this status. Any status is accepted; an unknown value is 400.",
                     "schema": REF("ServerStatus")},
    "LocationFilter": {"name": "location", "in": "query", "required": False,
                       "description": "Only servers in this data-centre location, by code (e.g. `us-west`). An unknown "
                                      "location is 400.", "schema": {"type": "string"}},
}
P = lambda name: {"$ref": "#/components/parameters/" + name}

# ---------------------------------------------------------------- operations

paths = {}
SLASH_NOTE = "Served the same without the trailing slash (`{alt}`)."


def path_item(path, summary, description=None):
    item = paths.setdefault(path, {})
    alt = path[:-1] if path.endswith("/") else None
    text = summary
    if description:
        text += " " + description
    if alt:
        text += " " + SLASH_NOTE.format(alt=alt)
    text += " Methods this path does not list answer 405 (see `components/responses/MethodNotAllowed`)."
    item["description"] = text
    return item


def op(path, method, opid, tags, summary, description, responses_, parameters_=None, body=None, security=None):
    o = {"operationId": opid, "tags": tags, "summary": summary, "description": description}
    if parameters_:
        o["parameters"] = parameters_
    if body:
        o["requestBody"] = body
    o["responses"] = {str(k): v for k, v in sorted(responses_.items())}
    if security is not None:
        o["security"] = security
    paths[path][method] = o


def json_body(schema, desc, example=None, required=True):
    media = {"schema": REF(schema)}
    if example is not None:
        media["example"] = example
    return {"required": required, "description": desc, "content": {JSON: media}}


def ok(schema, desc, example=None, headers=None):
    media = {"schema": REF(schema)}
    if example is not None:
        media["example"] = example
    r = {"description": desc, "content": {JSON: media}}
    if headers:
        r["headers"] = headers
    return r


def R(*ds):
    out = {}
    for d in ds:
        out.update(d)
    return out


CUSTOMER = {401: RESP("Unauthorized"), 403: RESP("CustomerForbidden"), 503: RESP("ServiceUnavailable")}
ADMIN = {401: RESP("Unauthorized"), 403: RESP("AdminForbidden"), 503: RESP("ServiceUnavailable")}
BODY_ERRORS = {413: RESP("PayloadTooLarge"), 415: RESP("UnsupportedMediaType")}
LIST = {400: RESP("InvalidQuery"), 404: RESP("PageNotFound")}
PAGING = [P("Page"), P("PageSize")]

S = ["Servers"]
# --- servers collection
path_item("/api/v1/servers/", "The account's servers.")
op("/api/v1/servers/", "get", "listServers", S, "List all servers",
   "Lists the servers of the token's account, ordered by id, optionally filtered by `status` and `location`, one page at "
   "a time (`count` is the total that matches).",
   R(CUSTOMER, LIST, {200: ok("ServerSummaryPage", "The account's servers.",
                                     {"count": 2, "next": None, "previous": None,
                                      "results": [SERVER_SUMMARY_EXAMPLE, SERVER_SUMMARY_EXAMPLE_2]})}),
   [P("StatusFilter"), P("LocationFilter")] + PAGING)
op("/api/v1/servers/", "post", "createServer", S, "Create a new server",
   "Deploys a new VPS server with the given configuration. The answer comes at once with `status` `provisioning` and "
   "`ip_address` `null`; the server becomes `active` with its addresses when the hypervisor is done (2 to 5 minutes). "
   "The first hour of the plan is charged at creation: when the account's prepaid balance does not cover it, the answer "
   "is 402 and nothing is created.",
   R(CUSTOMER, BODY_ERRORS, {
       201: ok("ServerCreated", "Server created: it is being provisioned.", SERVER_CREATED_EXAMPLE,
               {"Location": {"description": "The new server's URL, e.g. `/api/v1/servers/12347/`.", "required": True,
                             "schema": {"type": "string", "format": "uri-reference"}}}),
       400: bad_request("Invalid parameters: the body names each invalid field (missing, of the wrong JSON type, "
                        "unknown, read-only, a plan/OS/location/SSH key that does not exist, an invalid or taken name, "
                        "an invalid hostname); malformed JSON is a `detail`.",
                        {"name": ["This field is required."], "plan_id": ["Invalid pk \"9\" - object does not exist."]}),
       402: detail_response("Payment required: the account's credit does not cover the plan's first hour.",
                            "Insufficient credit: the balance of 0.01 does not cover the first hour of Standard VPS (0.03)."),
   }),
   body=json_body("CreateServer", "The new server's configuration.", schemas["CreateServer"]["examples"][0]))

# --- server
SID = [P("ServerId")]
path_item("/api/v1/servers/{server_id}/", "One server of the account.")
op("/api/v1/servers/{server_id}/", "get", "getServer", S, "Get server details",
   "Gets detailed information about one server, with its IPv6 address, its plan's bandwidth and its resource usage.",
   R(CUSTOMER, {200: ok("ServerDetail", "The server.", SERVER_DETAIL_EXAMPLE), 404: RESP("NotFound")}), SID)
update_400 = bad_request("Invalid parameters: the body names each invalid field (missing for PUT, of the wrong JSON "
                         "type, unknown, read-only, an invalid or taken name, an invalid hostname); malformed JSON is a "
                         "`detail`, and so is a server that is being deleted (`Server is being deleted`).",
                         {"hostname": ["This field is required."]})
op("/api/v1/servers/{server_id}/", "put", "updateServer", S, "Update server",
   "Updates the server's configuration. All fields are required: `name`, `hostname` and `backups_enabled`.",
   R(CUSTOMER, BODY_ERRORS, {200: ok("ServerDetail", "The updated server.", SERVER_UPDATED_EXAMPLE),
                                    400: update_400, 404: RESP("NotFound")}), SID,
   body=json_body("UpdateServer", "The server's new name, hostname and backup setting.",
                  schemas["UpdateServer"]["examples"][0]))
op("/api/v1/servers/{server_id}/", "patch", "partialUpdateServer", S, "Partially update server",
   "Updates specific fields of the server: only the fields given change.",
   R(CUSTOMER, BODY_ERRORS, {200: ok("ServerDetail", "The updated server."), 400: update_400,
                                    404: RESP("NotFound")}), SID,
   body=json_body("PatchServer", "The fields to change.", {"name": "new-server-name"}))
op("/api/v1/servers/{server_id}/", "delete", "deleteServer", S, "Delete server",
   "Deletes the server permanently: this action cannot be undone. Allowed in every status, also while it is "
   "provisioning. The server shows `deleting` until its machine is destroyed and its addresses are released, then it is "
   "gone (404); deleting it again meanwhile is 204 too. Billing stops with the deletion.",
   R(CUSTOMER, {204: {"description": "Server deleted (no body)."}, 404: RESP("NotFound")}), SID)


def action(name, verb, opid, summary, description, allowed, example_msg, example_status, refused):
    p = "/api/v1/servers/{server_id}/" + name + "/"
    path_item(p, summary + ".")
    op(p, "post", opid, S, summary, description + " The body of the request, if any, is ignored.",
       R(CUSTOMER, {
           200: ok("ActionResult", "The " + verb + " command was accepted: the server is `" + example_status + "`.",
                   {"status": "success", "message": example_msg,
                    "server": {"id": 12345, "name": "web-server-01", "status": example_status}}),
           400: {"description": "The server's status does not allow it (" + allowed + "): " + refused,
                 "content": {JSON: {"schema": REF("Detail"), "example": {"detail": refused.split("`")[1]}}}},
           404: RESP("NotFound")}), SID)


action("start", "start", "startServer", "Start server",
       "Starts a stopped server (or one in `error`, to recover it): `stopped` -> `starting` -> `active`.",
       "only `stopped` and `error` servers start", "Server is starting", "starting",
       "`Server is already running`, `Server is provisioning`, `Server is suspended`, `Server is being deleted`...")
action("stop", "stop", "stopServer", "Stop server",
       "Gracefully shuts down a running server (or one in `error`): `active` -> `stopping` -> `stopped`. A guest that "
       "ignores the shutdown request is powered off after a timeout.",
       "only `active` and `error` servers stop", "Server is stopping", "stopping",
       "`Server is not running`, `Server is provisioning`, `Server is suspended`, `Server is being deleted`...")
action("reboot", "reboot", "rebootServer", "Reboot server",
       "Gracefully reboots a running server: `active` -> `rebooting` -> `active`. A guest that ignores the request is "
       "reset after a timeout.",
       "only `active` servers reboot", "Server is rebooting", "rebooting",
       "`Server is not running`, `Server is in an error state`, `Server is provisioning`, `Server is suspended`...")

# --- catalog
C = ["Catalog"]
for p_, opid, what, schema, ex in [
        ("/api/v1/plans/", "listPlans", "plans", "PlanPage", schemas["Plan"]["examples"][0]),
        ("/api/v1/os/", "listOperatingSystems", "operating system images", "OperatingSystemPage",
         schemas["OperatingSystem"]["examples"][0]),
        ("/api/v1/locations/", "listLocations", "data-centre locations", "LocationPage", schemas["Location"]["examples"][0])]:
    path_item(p_, "The " + what + " customers can order.")
    op(p_, "get", opid, C, "List " + what,
       "Lists the available " + what + " (the provider's catalog), ordered by id, one page at a time.",
       R(CUSTOMER, LIST, {200: ok(schema, "The available " + what + ".",
                                         {"count": 1, "next": None, "previous": None, "results": [ex]})}), PAGING)

K = ["SSH keys"]
path_item("/api/v1/ssh-keys/", "The account's SSH keys.")
op("/api/v1/ssh-keys/", "get", "listSshKeys", K, "List SSH keys", "Lists the account's SSH keys, ordered by id.",
   R(CUSTOMER, LIST, {200: ok("SshKeyPage", "The account's SSH keys.")}), PAGING)
op("/api/v1/ssh-keys/", "post", "createSshKey", K, "Add an SSH key",
   "Adds an SSH public key to the account, to name as `ssh_key_id` when creating servers.",
   R(CUSTOMER, BODY_ERRORS, {
       201: ok("SshKey", "Key added.", schemas["SshKey"]["examples"][0],
               {"Location": {"description": "The key's URL, e.g. `/api/v1/ssh-keys/7/`.", "required": True,
                             "schema": {"type": "string", "format": "uri-reference"}}}),
       400: bad_request("Invalid parameters: a missing or invalid public key, a key already registered, an invalid name, "
                        "unknown fields; malformed JSON is a `detail`.", {"public_key": ["Not a valid SSH public key."]})}),
   body=json_body("CreateSshKey", "The key.", schemas["CreateSshKey"]["examples"][0]))
path_item("/api/v1/ssh-keys/{key_id}/", "One SSH key of the account.")
op("/api/v1/ssh-keys/{key_id}/", "get", "getSshKey", K, "Get an SSH key", "Gets one of the account's SSH keys.",
   R(CUSTOMER, {200: ok("SshKey", "The key."), 404: RESP("NotFound")}), [P("SshKeyId")])
op("/api/v1/ssh-keys/{key_id}/", "delete", "deleteSshKey", K, "Delete an SSH key",
   "Deletes one of the account's SSH keys. Servers it was installed on keep it.",
   R(CUSTOMER, {204: {"description": "Key deleted (no body)."}, 404: RESP("NotFound")}), [P("SshKeyId")])

# --- service
M = ["Service"]
path_item("/api/v1/openapi.json", "This document.")
op("/api/v1/openapi.json", "get", "getOpenApiDocument", M, "Get this OpenAPI document",
   "The OpenAPI 3.1 description of everything vpsd serves. No token needed.",
   {200: ok("OpenApiDocument", "This document.")}, security=[])
path_item("/healthz", "Liveness.")
op("/healthz", "get", "getHealth", M, "Liveness probe", "Answers as long as the process serves HTTP. No token needed.",
   {200: ok("Health", "The process is up.", {"status": "ok"})}, security=[])
path_item("/readyz", "Readiness.")
op("/readyz", "get", "getReadiness", M, "Readiness probe",
   "Answers 200 when the process can serve requests (its database answers), else 503. No token needed.",
   {200: ok("Readiness", "Ready.", {"status": "ready"}),
    503: detail_response("Not ready: the database cannot be reached.", "The database cannot be reached.")}, security=[])
path_item("/metrics", "Prometheus metrics.")
op("/metrics", "get", "getMetrics", M, "Prometheus metrics",
   "The process's metrics in the Prometheus text exposition format 0.0.4. Needs an admin token.",
   R(ADMIN, {200: {"description": "The metrics.", "content": {
       "text/plain": {"schema": {"type": "string"}, "example": "# HELP jvm_threads_live_threads ...\n"}}}}))

# --- admin
AS, AA, AT, AC, ASV, ASIM = (["Admin: status"], ["Admin: accounts"], ["Admin: tokens"], ["Admin: catalog"],
                             ["Admin: servers"], ["Admin: simulator"])
path_item("/admin/v1/status/", "The process's state.")
op("/admin/v1/status/", "get", "adminGetStatus", AS, "Process status",
   "The state of the vpsd process that answers: mode, database, driver, engine load.",
   R(ADMIN, {200: ok("AdminStatus", "The status.")}))
ACC = [P("AccountId")]
path_item("/admin/v1/accounts/", "Customer accounts.")
op("/admin/v1/accounts/", "get", "adminListAccounts", AA, "List accounts", "Lists the customer accounts, ordered by id.",
   R(ADMIN, {200: ok("AccountPage", "The accounts."),
                  400: {"description": "`page_size` below 1.",
                        "content": {JSON: {"schema": REF("FieldErrors")}}},
                  404: RESP("PageNotFound")}), PAGING)
op("/admin/v1/accounts/", "post", "adminCreateAccount", AA, "Create an account",
   "Creates a customer account with optional initial credit, and its first API token (shown only in this answer).",
   R(ADMIN, BODY_ERRORS, {201: ok("CreatedAccount", "The account and its first token."),
                                 400: bad_request("Invalid fields (a missing, blank, too long or taken name, an invalid "
                                                  "credit, unknown fields); malformed JSON is a `detail`.",
                                                  {"name": ["An account with this name already exists."]})}),
   body=json_body("CreateAccount", "The account.", schemas["CreateAccount"]["examples"][0]))
path_item("/admin/v1/accounts/{account_id}/", "One account.")
op("/admin/v1/accounts/{account_id}/", "get", "adminGetAccount", AA, "Get an account", "Gets one customer account.",
   R(ADMIN, {200: ok("Account", "The account."), 404: RESP("NotFound")}), ACC)
path_item("/admin/v1/accounts/{account_id}/credit/", "Credit of an account.")
op("/admin/v1/accounts/{account_id}/credit/", "post", "adminAddCredit", AA, "Add credit",
   "Adds prepaid credit to an account and records it in the ledger. If the account was suspended and its balance is "
   "positive again, the suspension is lifted (its servers stay stopped until started).",
   R(ADMIN, BODY_ERRORS, {200: ok("Account", "The account with its new balance."),
                                 400: bad_request("Invalid fields (a missing, zero, negative or too precise amount, "
                                                  "unknown fields); malformed JSON is a `detail`.",
                                                  {"amount": ["Ensure this value is greater than 0."]}),
                                 404: RESP("NotFound")}), ACC,
   body=json_body("AddCredit", "The credit to add.", schemas["AddCredit"]["examples"][0]))
path_item("/admin/v1/accounts/{account_id}/ledger/", "The ledger of an account.")
op("/admin/v1/accounts/{account_id}/ledger/", "get", "adminListLedger", AA, "List ledger entries",
   "The movements of an account's balance (credits and hourly charges), ordered by id, after `after`, at most `limit`.",
   R(ADMIN, {200: ok("LedgerEntryList", "The entries."),
                  400: {"description": "`after` or `limit` is not a non-negative integer.",
                        "content": {JSON: {"schema": REF("FieldErrors"), "example": {"after": ["A valid integer is required."]}}}},
                  404: RESP("NotFound")}),
   ACC + [{"name": "after", "in": "query", "required": False, "description": "Only entries with a larger id (default 0).",
           "schema": {"type": "integer", "format": "int64", "minimum": 0, "default": 0}},
          {"name": "limit", "in": "query", "required": False,
           "description": "At most this many entries (default 100; values above 1000 are served as 1000).",
           "schema": {"type": "integer", "minimum": 0, "default": 100}}])
path_item("/admin/v1/accounts/{account_id}/tokens/", "The API tokens of an account.")
op("/admin/v1/accounts/{account_id}/tokens/", "get", "adminListAccountTokens", AT, "List an account's tokens",
   "Lists the account's API tokens, revoked ones included, ordered by id.",
   R(ADMIN, {200: ok("TokenList", "The tokens."), 404: RESP("NotFound")}), ACC)
op("/admin/v1/accounts/{account_id}/tokens/", "post", "adminCreateAccountToken", AT, "Issue a token for an account",
   "Issues a new API token for the account; the secret is shown only in this answer.",
   R(ADMIN, BODY_ERRORS, {201: ok("CreatedToken", "The token with its secret."),
                                 400: bad_request("Invalid fields (a name over 100 characters, unknown fields); "
                                                  "malformed JSON is a `detail`.", {"zzz": ["Unknown field."]}),
                                 404: RESP("NotFound")}), ACC,
   body=json_body("CreateToken", "The token's name.", required=False))
path_item("/admin/v1/admin-tokens/", "The provider's admin tokens.")
op("/admin/v1/admin-tokens/", "get", "adminListAdminTokens", AT, "List admin tokens",
   "Lists the admin tokens, revoked ones included, ordered by id.", R(ADMIN, {200: ok("TokenList", "The tokens.")}))
op("/admin/v1/admin-tokens/", "post", "adminCreateAdminToken", AT, "Issue an admin token",
   "Issues a new admin token (`account_id` is `null`); the secret is shown only in this answer.",
   R(ADMIN, BODY_ERRORS, {201: ok("CreatedToken", "The token with its secret."),
                                 400: bad_request("Invalid fields (a name over 100 characters, unknown fields); "
                                                  "malformed JSON is a `detail`.", {"zzz": ["Unknown field."]})}),
   body=json_body("CreateToken", "The token's name.", required=False))
path_item("/admin/v1/tokens/{token_id}/", "One token, customer's or admin.")
op("/admin/v1/tokens/{token_id}/", "delete", "adminRevokeToken", AT, "Revoke a token",
   "Revokes a token at once; revoking a revoked token again is 204 too.",
   R(ADMIN, {204: {"description": "Revoked (no body)."}, 404: RESP("NotFound")}), [P("TokenId")])
path_item("/admin/v1/catalog/", "The provider's catalog.")
op("/admin/v1/catalog/", "get", "adminGetCatalog", AC, "Get the catalog",
   "The stored catalog (plans, images, locations with address ranges and hosts), unavailable entries included, in the "
   "shape `PUT` takes.", R(ADMIN, {200: ok("CatalogDocument", "The catalog.")}))
op("/admin/v1/catalog/", "put", "adminApplyCatalog", AC, "Apply a catalog document",
   "Makes the stored catalog match a catalog document (YAML or JSON, whatever the `Content-Type`), in one transaction.",
   R(ADMIN, {200: ok("CatalogApplied", "Applied."),
                  400: detail_response("The document cannot be read or is not a valid catalog; `detail` lists the problems.",
                                       "Invalid catalog: plan 9: a name of 1 to 100 characters is required"),
                  413: RESP("PayloadTooLarge")}),
   body={"required": True, "description": "The catalog document, as YAML or JSON.",
         "content": {"application/yaml": {"schema": REF("CatalogUpdate")}, JSON: {"schema": REF("CatalogUpdate")}}})
path_item("/admin/v1/servers/", "Every account's servers.")
op("/admin/v1/servers/", "get", "adminListServers", ASV, "List all servers",
   "Lists the servers of every account (or of one), ordered by id, optionally filtered.",
   R(ADMIN, LIST, {200: ok("AdminServerPage", "The servers.")}),
   [{"name": "account", "in": "query", "required": False, "description": "Only this account's servers.",
     "schema": {"type": "integer", "format": "int64", "minimum": 0}}, P("StatusFilter"), P("LocationFilter")] + PAGING)
path_item("/admin/v1/servers/{server_id}/", "Any account's server.")
op("/admin/v1/servers/{server_id}/", "get", "adminGetServer", ASV, "Get a server",
   "A server as the provider sees it, with its pending operation and its last 50 events.",
   R(ADMIN, {200: ok("AdminServerDetail", "The server."), 404: RESP("NotFound")}), SID)
path_item("/admin/v1/unknown-machines/", "Machines vpsd does not account for.")
op("/admin/v1/unknown-machines/", "get", "adminListUnknownMachines", ASV, "List unknown machines",
   "Machines the reconciler found on the hypervisors that belong to no server of vpsd.",
   R(ADMIN, {200: ok("UnknownMachines", "The machines.")}))

SIM_NOTE = " Only with the simulated hypervisor driver: 404 otherwise."
path_item("/admin/v1/simulator/", "The simulated hypervisor.")
op("/admin/v1/simulator/", "get", "adminGetSimulator", ASIM, "Get the simulator's faults",
   "The fault settings of the simulated hypervisor." + SIM_NOTE,
   R(ADMIN, {200: ok("SimulatorState", "The settings."), 404: RESP("NotSimulated")}))
path_item("/admin/v1/simulator/faults/{operation}/", "Faults of one simulator operation.")
op("/admin/v1/simulator/faults/{operation}/", "put", "adminSetSimulatorFault", ASIM, "Inject a fault",
   "Makes the next `fail_next` calls of an operation fail, and any call fail with probability `failure_rate`." + SIM_NOTE,
   R(ADMIN, BODY_ERRORS, {200: ok("SimulatorState", "The new settings."),
                                 400: bad_request("Invalid fields.", {"fail_next": ["Ensure this value is between 0 and 1000000."]}),
                                 404: RESP("NotSimulated")}),
   [{"name": "operation", "in": "path", "required": True, "description": "The simulator operation; another value is 404.",
     "schema": REF("SimulatorOperation")}],
   body=json_body("SetSimulatorFault", "The fault.", {"fail_next": 1}, required=False))
path_item("/admin/v1/simulator/faults/", "All simulator faults.")
op("/admin/v1/simulator/faults/", "delete", "adminClearSimulatorFaults", ASIM, "Clear all faults",
   "Removes every injected fault." + SIM_NOTE,
   R(ADMIN, {204: {"description": "Cleared (no body)."}, 404: RESP("NotSimulated")}))
path_item("/admin/v1/simulator/ignore-acpi/", "Whether simulated guests ignore ACPI.")
op("/admin/v1/simulator/ignore-acpi/", "put", "adminSetIgnoreAcpi", ASIM, "Make guests ignore ACPI",
   "Makes simulated guests ignore (or obey again) graceful shutdown and reboot requests, so that vpsd's forced fallback "
   "is exercised." + SIM_NOTE,
   R(ADMIN, BODY_ERRORS, {200: ok("SimulatorState", "The new settings."),
                                 400: bad_request("`ignore` is missing or not a boolean.", {"ignore": ["This field is required."]}),
                                 404: RESP("NotSimulated")}),
   body=json_body("SetIgnoreAcpi", "The setting.", {"ignore": True}))
for name, opid, summary, done in [("guest-power-off", "adminGuestPowerOff", "Power a guest off from inside",
                                   "The guest powered itself off."),
                                  ("crash", "adminCrashGuest", "Crash a guest", "The guest crashed.")]:
    p_ = "/admin/v1/simulator/servers/{server_id}/" + name + "/"
    path_item(p_, summary + ".")
    op(p_, "post", opid, ASIM, summary,
       "Simulates an event inside the server's machine that vpsd did not cause, to exercise its reconciliation." + SIM_NOTE,
       R(ADMIN, {202: detail_response("Done; vpsd notices it on its own.", done),
                      404: RESP("NotSimulated"),
                      409: detail_response("The server has no machine yet (it is still provisioning).",
                                           "Server 12345 has no machine yet.")}), SID)

# ---------------------------------------------------------------- document

DESCRIPTION = """The API of **vpsd**, a self-hosted VPS control plane that serves the VPS.org Servers API: deploy, list, \
inspect, update, start, stop, reboot and delete virtual private servers; the catalog they are ordered from (plans, \
operating system images, data-centre locations); the account's SSH keys; and, under `/admin/v1/`, the provider's \
own API (accounts, credit, tokens, catalog, every server).

## Authentication
Every request carries `Authorization: Bearer <token>` (the keyword `Token` is accepted too). Customer tokens reach \
`/api/v1/`; the provider's admin tokens reach `/admin/v1/` and `/metrics`. A missing or invalid token is 401 with \
`WWW-Authenticate: Bearer realm="api"`; the wrong kind of token is 403. `/api/v1/openapi.json`, `/healthz` and \
`/readyz` need no token.

## Requests
Bodies are JSON objects (`Content-Type: application/json`), at most 64 KiB (413 beyond). Fields are strict: integers \
must be JSON integers, strings JSON strings, booleans JSON booleans; unknown fields and read-only fields are 400 naming \
the field. A body that is not JSON is 415; malformed JSON or a duplicate key is 400 with a `detail`.

## Paths
Paths are documented with a trailing slash; the same path without it is served the same way. A path that exists \
answers 405 (`components/responses/MethodNotAllowed`, with an `Allow` header) to the methods it does not list; a path \
that does not exist is 404.

## Errors
Error bodies follow Django REST Framework: `{"detail": "..."}` (schema `Detail`) for 401, 402, 403, 404, 405, 413, \
415, 503 and for actions the server's status does not allow (400), and `{"field": ["message", ...]}` (schema \
`FieldErrors`) for invalid fields and query parameters (400). Another account's server is 404, exactly as if it did \
not exist. A 503 means the database could not be reached; nothing was changed and the request may be retried.

## Lists
Lists answer `count` (the total that matches), `next` and `previous` (absolute URLs, `null` at the ends) and \
`results`, ordered by `id`. Query parameters: `page` (from 1) and `page_size` (default 50, at most 500).

## Servers
Statuses: `active` (running), `stopped`, `suspended`, `error` (resting); `provisioning`, `starting`, `stopping`, \
`rebooting`, `deleting` (transitional). Create -> `provisioning` -> `active`; stop: `active` -> `stopping` -> \
`stopped`; start: `stopped` -> `starting` -> `active`; reboot: `active` -> `rebooting` -> `active`. Actions answer at \
once with the transitional status; poll the server to see it reach its resting status. Credit is prepaid; servers are \
billed per hour of existence at their plan's hourly price. When an account's credit runs out its servers are powered \
off and `suspended` until credit is added.

## Formats
Timestamps are UTC, ISO 8601, whole seconds, `Z` suffix (`2025-01-10T14:30:00Z`). Money is a JSON number in the \
provider's currency. Memory is in MB, storage and bandwidth in GB. Keys that have no value are present with `null`.
"""

doc = {
    "openapi": "3.1.0",
    "info": {"title": "VPS.org Servers API (vpsd)", "version": "1.0.0", "description": DESCRIPTION},
    "servers": [{"url": "/", "description": "The vpsd instance that serves this document."},
                {"url": "https://admin.vps.org", "description": "VPS.org's hosted service (the customer API; "
                                                                "`/admin/v1/` belongs to each vpsd instance)."}],
    "security": [{"bearerAuth": []}],
    "tags": [
        {"name": "Servers", "description": "The account's virtual private servers."},
        {"name": "Catalog", "description": "What customers can order: plans, operating system images, locations."},
        {"name": "SSH keys", "description": "The account's SSH public keys, to install on new servers."},
        {"name": "Service", "description": "Health, readiness, metrics and this document."},
        {"name": "Admin: status", "description": "The provider's view of the process."},
        {"name": "Admin: accounts", "description": "Customer accounts and their credit."},
        {"name": "Admin: tokens", "description": "API tokens of customers and of the provider."},
        {"name": "Admin: catalog", "description": "The catalog customers order from."},
        {"name": "Admin: servers", "description": "Every account's servers."},
        {"name": "Admin: simulator", "description": "Fault injection into the simulated hypervisor (development and tests)."},
    ],
    "paths": paths,
    "components": {
        "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "`Authorization: Bearer <token>`. Customer tokens (issued by the provider with an account, "
                           "or by `POST /admin/v1/accounts/{account_id}/tokens/`) reach `/api/v1/`; admin tokens reach "
                           "`/admin/v1/` and `/metrics`."}},
        "parameters": parameters,
        "responses": responses,
        "schemas": schemas,
    },
}

with open(OUT, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
print("wrote", OUT, len(paths), "paths", sum(len([m for m in v if m != "description"]) for v in paths.values()), "operations")
