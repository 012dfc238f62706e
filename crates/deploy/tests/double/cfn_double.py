"""An asynchronous CloudFormation double for the deploy tests: moto 5.2.5's
server with CloudFormation patched to behave like the real service where the
deploy state machine depends on it. Loopback only.

    python cfn_double.py -p PORT        (the python of moto's venv)

What it changes in moto:
- Operations take time: create, update (change set or direct) and delete
  report *_IN_PROGRESS for DOUBLE_DELAY_MS (default 600 ms) and their events
  appear over that time: the stack's IN_PROGRESS event, then per resource an
  IN_PROGRESS and a COMPLETE event, then the stack's final event.
- Rollback: a resource with `Metadata: {"Double": {"Fail": "reason"}}` fails
  (CREATE_FAILED / UPDATE_FAILED with that reason); a create ends
  ROLLBACK_COMPLETE, an update UPDATE_ROLLBACK_COMPLETE (old template back).
- Retained resources (DeletionPolicy Retain/RetainExceptOnCreate) are
  DELETE_SKIPPED on delete.
- Termination protection: UpdateTerminationProtection, honoured on create
  change sets executed with protection set later, and DeleteStack of a
  protected stack is refused as CloudFormation does.
- Concurrent writers: a change to a stack with an operation in progress is
  refused ("... is in UPDATE_IN_PROGRESS state and can not be updated").
- Exports and outputs are registered for executed change sets too; an
  update dropping an export still imported fails and rolls back, a delete of
  a stack whose exports are imported fails (DELETE_FAILED) — as CloudFormation
  enforces; ListImports answers from the stacks' templates.
- Faults, set with Action=DoubleConfig (form fields): `Hang=Action1,Action2`
  makes those actions never answer (until reset), `DelayMs=N` changes the
  operation time.
"""

import json
import os
import sys
import threading
import time

from moto import server
from moto.cloudformation import models, responses
from moto.cloudformation.exceptions import ValidationError
from moto.core.responses import ActionResult, EmptyResult

STATE = {"delay": int(os.environ.get("DOUBLE_DELAY_MS", "600")) / 1000.0, "hang": set()}
LOCK = threading.RLock()


def now():
    return time.time()


# ---- stack status that depends on time ---------------------------------

def _get_status(self):
    busy = getattr(self, "_busy_until", 0)
    if now() < busy:
        return self._busy_status
    return self._status


def _set_status(self, value):
    self._status = value


models.Stack.status = property(_get_status, _set_status)


def _busy(stack):
    return now() < getattr(stack, "_busy_until", 0)


def _event(stack, logical, physical, rtype, status, reason, at):
    e = models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical,
        physical_resource_id=physical,
        resource_type=rtype,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    e.reveal_at = at
    stack.events.append(e)


def _resources(template_dict):
    return (template_dict or {}).get("Resources", {}) or {}


def _fail_reason(res):
    meta = res.get("Metadata") or {}
    double = meta.get("Double") if isinstance(meta, dict) else None
    return double.get("Fail") if isinstance(double, dict) else None


def _schedule(stack, op, resources, final, fail=None, retained=()):
    """Replace the events moto just added with a timed sequence."""
    t0 = now()
    d = STATE["delay"]
    _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", f"{op}_IN_PROGRESS", "User Initiated", t0)
    n = max(len(resources), 1)
    step = d / (n + 2)
    t = t0 + step
    failed = False
    for logical, res in resources.items():
        rtype = res.get("Type", "")
        _event(stack, logical, "", rtype, f"{op}_IN_PROGRESS", None, t)
        reason = _fail_reason(res) if op != "DELETE" else None
        if reason and not failed:
            _event(stack, logical, "", rtype, f"{op}_FAILED", reason, t + step / 2)
            failed = True
            break
        status = "DELETE_SKIPPED" if (op == "DELETE" and logical in retained) else f"{op}_COMPLETE"
        _event(stack, logical, logical, rtype, status, None, t + step / 2)
        t += step
    if failed:
        if op == "CREATE":
            _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS",
                   "The following resource(s) failed to create: [%s]. Rollback requested by user." % logical, t + step)
            final = "ROLLBACK_COMPLETE"
        else:
            _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS",
                   "The following resource(s) failed to update: [%s]." % logical, t + step)
            final = "UPDATE_ROLLBACK_COMPLETE"
    if fail is not None:
        final = fail[0]
        _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", fail[1], fail[2], t0 + d * 0.5)
    _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", final, None, t0 + d)
    stack._busy_status = f"{op}_IN_PROGRESS" if not failed else (
        "ROLLBACK_IN_PROGRESS" if op == "CREATE" else "UPDATE_ROLLBACK_IN_PROGRESS")
    stack._busy_until = t0 + d
    stack._status = final
    return failed


def _refuse_if_busy(stack):
    if stack is not None and _busy(stack):
        raise ValidationError(
            stack.stack_id,
            message=f"Stack:{stack.stack_id} is in {stack._busy_status} state and can not be updated.",
        )


# ---- imports and exports -------------------------------------------------

def _imports_of(template_dict):
    out = set()

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "Fn::ImportValue" and isinstance(x, str):
                    out.add(x)
                else:
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(template_dict)
    return out


def _importers(backend, export_name, but=None):
    names = []
    for s in backend.stacks.values():
        if s is but or s._status.startswith("DELETE_COMPLETE"):
            continue
        if export_name in _imports_of(s.template_dict):
            names.append(s.name)
    return sorted(names)


def _export_names(template_dict):
    names = set()
    for o in ((template_dict or {}).get("Outputs") or {}).values():
        name = (o.get("Export") or {}).get("Name") if isinstance(o, dict) else None
        if isinstance(name, str):
            names.add(name)
    return names


def _in_use_dropped(backend, stack, new_template_dict):
    dropped = _export_names(stack.template_dict) - _export_names(new_template_dict)
    for name in sorted(dropped):
        users = _importers(backend, name, but=stack)
        if users:
            return f"Export {name} cannot be deleted as it is in use by {', '.join(users)}"
    return None


def _refresh_exports(backend, stack):
    for name in [n for n, e in backend.exports.items() if getattr(e, "exporting_stack_id", None) == stack.stack_id]:
        backend.exports.pop(name, None)
    stack.output_map = stack._create_output_map()
    for export in stack.exports:
        backend.exports[export.name] = export


# ---- patched backend operations -----------------------------------------

_orig_describe_stacks = models.CloudFormationBackend.describe_stacks


def describe_stacks(self, name_or_stack_id):
    try:
        return _orig_describe_stacks(self, name_or_stack_id)
    except ValidationError:
        # A stack being deleted is still visible by name until it is gone.
        for s in self.deleted_stacks.values():
            if s.name == name_or_stack_id and _busy(s):
                return [s]
        raise


models.CloudFormationBackend.describe_stacks = describe_stacks


def describe_stack_events(self, stack_name):
    try:
        stack = self.get_stack(stack_name)
    except ValidationError:
        stack = next((s for s in self.deleted_stacks.values() if s.name == stack_name or s.stack_id == stack_name), None)
        if stack is None:
            raise
    t = now()
    return [e for e in stack.events if getattr(e, "reveal_at", 0) <= t]


models.CloudFormationBackend.describe_stack_events = describe_stack_events


def _stack_by_name(backend, name):
    for s in backend.stacks.values():
        if s.name == name or s.stack_id == name:
            return s
    return None


_orig_create_change_set = models.CloudFormationBackend.create_change_set


def create_change_set(self, stack_name, *args, **kwargs):
    with LOCK:
        _refuse_if_busy(_stack_by_name(self, stack_name))
        result = _orig_create_change_set(self, stack_name, *args, **kwargs)
        # moto builds a CREATE change set's stack without the region's
        # exports: Fn::ImportValue would find nothing.
        stack = _stack_by_name(self, stack_name)
        if stack is not None:
            stack.cross_stack_resources = self.exports
            stack.resource_map.cross_stack_resources = self.exports
        return result


models.CloudFormationBackend.create_change_set = create_change_set


def execute_change_set(self, change_set_name, stack_name=None):
    with LOCK:
        cs = self.change_sets.get(change_set_name) or next(
            (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None)
        if cs is None:
            raise ValidationError(stack_name)
        stack = self.stacks[cs.stack_id]
        _refuse_if_busy(stack)
        n = len(stack.events)
        old_template = stack.template
        new_dict = cs.template_dict
        op = "CREATE" if cs.change_set_type == "CREATE" else "UPDATE"
        in_use = None if op == "CREATE" else _in_use_dropped(self, stack, new_dict)
        if in_use:
            del stack.events[n:]
            _schedule(stack, op, {}, "UPDATE_ROLLBACK_COMPLETE",
                      fail=("UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_IN_PROGRESS", in_use))
            cs.execution_status = "EXECUTE_FAILED"
            return
        cs.apply()
        cs.execution_status = "EXECUTE_COMPLETE"
        stack.template = cs.template
        stack._parse_template()
        del stack.events[n:]
        failed = _schedule(stack, op, _resources(new_dict), f"{op}_COMPLETE")
        if failed and op == "UPDATE":
            stack.template = old_template
            stack._parse_template()
            stack.resource_map.update(stack.template_dict, None)
        _refresh_exports(self, stack)


models.CloudFormationBackend.execute_change_set = execute_change_set

_orig_create_stack = models.CloudFormationBackend.create_stack


def create_stack(self, name, *args, **kwargs):
    with LOCK:
        stack = _orig_create_stack(self, name, *args, **kwargs)
        del stack.events[:]
        _schedule(stack, "CREATE", _resources(stack.template_dict), "CREATE_COMPLETE")
        return stack


models.CloudFormationBackend.create_stack = create_stack

_orig_update_stack = models.CloudFormationBackend.update_stack


def update_stack(self, name, template, *args, **kwargs):
    with LOCK:
        stack = _stack_by_name(self, name)
        _refuse_if_busy(stack)
        if stack is not None:
            in_use = _in_use_dropped(self, stack, models.Stack.parse_template(template))
            if in_use:
                raise ValidationError(stack.stack_id, message=in_use)
        n = len(stack.events) if stack else 0
        stack = _orig_update_stack(self, name, template, *args, **kwargs)
        del stack.events[n:]
        _schedule(stack, "UPDATE", _resources(stack.template_dict), "UPDATE_COMPLETE")
        _refresh_exports(self, stack)
        return stack


models.CloudFormationBackend.update_stack = update_stack

_orig_delete_stack = models.CloudFormationBackend.delete_stack


def delete_stack(self, name_or_stack_id):
    with LOCK:
        stack = _stack_by_name(self, name_or_stack_id)
        if stack is None:
            return _orig_delete_stack(self, name_or_stack_id)
        _refuse_if_busy(stack)
        if stack.enable_termination_protection:
            raise ValidationError(
                stack.stack_id,
                message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled",
            )
        for name in sorted(_export_names(stack.template_dict)):
            users = _importers(self, name, but=stack)
            if users:
                n = len(stack.events)
                _schedule(stack, "DELETE", {}, "DELETE_FAILED",
                          fail=("DELETE_FAILED", "DELETE_IN_PROGRESS",
                                f"Export {name} cannot be deleted as it is in use by {', '.join(users)}"))
                return
        resources = _resources(stack.template_dict)
        retained = {k for k, r in resources.items() if r.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")}
        n = len(stack.events)
        _orig_delete_stack(self, stack.stack_id)
        del stack.events[n:]
        _schedule(stack, "DELETE", dict(reversed(list(resources.items()))), "DELETE_COMPLETE", retained=retained)


models.CloudFormationBackend.delete_stack = delete_stack


# ---- new actions -----------------------------------------------------------

def list_imports(self):
    name = self._get_param("ExportName")
    users = _importers(self.cloudformation_backend, name)
    if not users:
        raise ValidationError(message=f"Export '{name}' is not imported by any stack.")
    return ActionResult({"Imports": users})


def update_termination_protection(self):
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    stack.enable_termination_protection = self._get_bool_param("EnableTerminationProtection", False)
    return ActionResult({"StackId": stack.stack_id})


def double_config(self):
    # Not an AWS action: read the raw form, not through the service model.
    q = getattr(self, "querystring", {}) or {}
    first = lambda k: (q.get(k) or [None])[0]
    if first("DelayMs") is not None:
        STATE["delay"] = int(first("DelayMs")) / 1000.0
    hang = first("Hang")
    if hang is not None or "Hang" in q:
        STATE["hang"] = {h for h in (hang or "").split(",") if h}
    return "<DoubleConfigResponse/>"


responses.CloudFormationResponse.list_imports = list_imports
responses.CloudFormationResponse.update_termination_protection = update_termination_protection
responses.CloudFormationResponse.double_config = double_config

_orig_call_action = responses.CloudFormationResponse.call_action


def call_action(self):
    action = self._get_action()
    if action == "DoubleConfig":
        return 200, {}, double_config(self)
    if action in STATE["hang"]:
        while action in STATE["hang"]:
            time.sleep(0.05)
    return _orig_call_action(self)


responses.CloudFormationResponse.call_action = call_action

_orig_parse_parameters = responses.CloudFormationResponse.parse_parameters


def parse_parameters(self, request):
    if self._get_action() == "DoubleConfig":
        self.params = {}
        return
    return _orig_parse_parameters(self, request)


responses.CloudFormationResponse.parse_parameters = parse_parameters


if __name__ == "__main__":
    args = sys.argv[1:]
    if "-H" not in args:
        args = ["-H", "127.0.0.1"] + args
    server.main(args)
