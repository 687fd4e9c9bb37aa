"""Admin endpoints under /_admin/: the Python API over JSON, for a person driving a running
simulator from a shell (curl -d '{"id": "1001", "kind": "number"}' .../_admin/edit)."""

from __future__ import annotations

import json


class MissingField(ValueError):
    pass


def _need(args: dict, name: str):
    if name not in args:
        raise MissingField(f"missing field {name!r}")
    return args.pop(name)


def _publish(sim, args):
    aid = sim.publish(**args)
    return {"id": aid, "url": sim.article_url(aid)}


def _edit(sim, args):
    aid, kind = _need(args, "id"), _need(args, "kind")
    return sim.edit(aid, kind, **args)


def _change_slug(sim, args):
    return {"url": sim.change_slug(_need(args, "id"), args.pop("new_slug", None))}


def _move(sim, args):
    return {"url": sim.move(_need(args, "id"))}


def _pull(sim, args):
    aid = _need(args, "id")
    sim.pull(aid, int(args.pop("status", 404)))
    return {"id": str(aid), "status": "gone"}


def _restore(sim, args):
    aid = _need(args, "id")
    sim.restore(aid)
    return {"id": str(aid), "status": "live"}


def _fault(sim, args):
    target = args.pop("target", None) or _need(args, "id")
    return sim.fault(target, _need(args, "kind"), args.pop("count", None), **args)


def _clear_faults(sim, args):
    return {"cleared": sim.clear_faults(args.pop("target", None))}


def _cp1251(sim, args):
    aid = sim.add_cp1251_article()
    return {"id": aid, "url": sim.article_url(aid)}


def _timeline(sim, args):
    timers = sim.run_timeline(_need(args, "steps"))
    return {"scheduled": len(timers)}


def _reset_log(sim, args):
    sim.reset_log()
    return {"ok": True}


POST_ACTIONS = {"publish": _publish, "edit": _edit, "change_slug": _change_slug, "move": _move,
                "pull": _pull, "restore": _restore,
                "fault": _fault, "clear_faults": _clear_faults, "add_cp1251_article": _cp1251,
                "cp1251": _cp1251, "timeline": _timeline, "run_timeline": _timeline,
                "reset_log": _reset_log}
GET_ACTIONS = {"state": lambda sim: sim.state(),
               "requests": lambda sim: {"requests": [list(r) for r in sim.requests]},
               "faults": lambda sim: {"faults": sim._faults.active()}}


def handle_admin(sim, method: str, path: str, raw: bytes) -> tuple[int, bytes]:
    name = path.split("?", 1)[0][len("/_admin/"):].strip("/")
    status, payload = _dispatch(sim, method, name, raw)
    return status, (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode()


def _dispatch(sim, method: str, name: str, raw: bytes) -> tuple[int, dict]:
    if method in ("GET", "HEAD"):
        if name not in GET_ACTIONS:
            return 404, {"error": f"unknown admin page {name!r}; GET: {sorted(GET_ACTIONS)}, "
                                  f"POST: {sorted(POST_ACTIONS)}"}
        return 200, GET_ACTIONS[name](sim)
    if name not in POST_ACTIONS:
        return 404, {"error": f"unknown admin action {name!r}; POST: {sorted(POST_ACTIONS)}"}
    try:
        args = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        return 400, {"error": f"body is not JSON: {exc}"}
    if not isinstance(args, dict):
        return 400, {"error": "body must be a JSON object"}
    try:
        return 200, POST_ACTIONS[name](sim, args)
    except MissingField as exc:
        return 400, {"error": str(exc)}
    except KeyError as exc:
        return 404, {"error": exc.args[0] if exc.args else str(exc)}
    except (TypeError, ValueError) as exc:
        return 400, {"error": str(exc)}
