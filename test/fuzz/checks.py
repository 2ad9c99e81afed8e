"""Is an answer right for its case? Each check returns the problems it found (none: right).

Every answer: never a 5xx. A 4xx refusal: one non-empty line of text. An answering review:
the same apiVersion, the right kind, the request's uid, and then per kind:

- AdmissionReview: ``allowed`` a boolean; a denial has ``status.code`` 4xx (500 is how the
  server answers a handler's own failure, so it is a bug found), ``status: Failure`` and a
  message, and a 422 names the invalid fields in its causes; an allowance's JSON patch
  decodes and applies to the object sent.
- ConversionReview: ``Success`` with one object per object sent, each in the desired
  apiVersion and of its kind (those already there unchanged), or ``Failure`` with a message
  that is the user's (not an internal error). A review left whole must succeed, unless
  an object carries the v1beta1-fields annotation (drawn unreadable at times).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from fuzz.mutations import ANSWER, ANSWER_OR_400, BAD_REQUEST, UNSUPPORTED, Case
from fuzz.target import Answer
from kruise.apis.apps.conversion import CARRIED_FIELDS_ANNOTATION
from kruise.runtime.webhook import JsonPatchError, jsonpatch

Problems = list[str]
_REFUSALS = {BAD_REQUEST: 400, UNSUPPORTED: 415}


def check(case: Case, answer: Answer) -> Problems:
    """What is wrong with ``answer`` to ``case``."""
    if answer.status >= 500:
        return [f"HTTP {answer.status}: {answer.body[:300]!r}"]
    if answer.status != 200:
        return _refusal(case, answer)
    if case.expect not in (ANSWER, ANSWER_OR_400) or case.sent is None:
        return [f"HTTP 200 where {case.expect} was right: {answer.body[:300]!r}"]
    try:
        review = json.loads(answer.body)
    except ValueError as err:
        return [f"the 200 answer is not JSON ({err}): {answer.body[:300]!r}"]
    problems = _envelope(case, review)
    if problems:
        return problems
    if review["kind"] == "AdmissionReview":
        return _admission(case, review["response"])
    return _conversion(case, review["response"])


def _refusal(case: Case, answer: Answer) -> Problems:
    problems = []
    right = _REFUSALS.get(case.expect)
    if case.expect == ANSWER or (case.expect == ANSWER_OR_400 and answer.status != 400):
        problems.append(f"HTTP {answer.status} where an answering review was right")
    elif right is not None and answer.status != right:
        problems.append(f"HTTP {answer.status} where {right} was right")
    text = answer.body.decode("utf-8", "replace")
    if not text.strip() or "\n" in text.strip() or len(text) > 1000:
        problems.append(f"the refusal is not one line of text: {text[:300]!r}")
    return problems


def _envelope(case: Case, review: Any) -> Problems:
    sent = case.sent or {}
    if not isinstance(review, dict) or not isinstance(review.get("response"), dict):
        return [f"the answer has no response: {str(review)[:300]}"]
    problems = []
    if review.get("apiVersion") != sent.get("apiVersion"):
        problems.append(
            f"apiVersion {review.get('apiVersion')!r} answers {sent.get('apiVersion')!r}"
        )
    if review.get("kind") != sent.get("kind"):
        problems.append(f"kind {review.get('kind')!r} answers {sent.get('kind')!r}")
    if review["response"].get("uid") != case.uid:
        problems.append(f"uid {review['response'].get('uid')!r} answers {case.uid!r}")
    return problems


def _admission(case: Case, response: dict[str, Any]) -> Problems:
    allowed = response.get("allowed")
    status = response.get("status")
    if not isinstance(allowed, bool) or not isinstance(status, dict):
        return [f"malformed response: {str(response)[:300]}"]
    if allowed:
        # A body with nesting the tree stands for cannot be patched here; the rest can.
        return _patch(case.sent["request"].get("object"), response) if case.exact else []
    code, message = status.get("code"), status.get("message")
    problems = []
    if not isinstance(code, int) or not 400 <= code < 500:
        problems.append(f"a denial with code {code!r}: {str(message)[:300]}")
    if status.get("status") != "Failure" or not isinstance(message, str) or not message:
        problems.append(f"a denial without Failure and a message: {str(status)[:300]}")
    if code == 422:
        causes = (status.get("details") or {}).get("causes") or []
        if not causes or not all(isinstance(c.get("field"), str) and c["field"] for c in causes):
            problems.append(f"422 with a cause naming no field: {str(status)[:300]}")
    return problems


def _patch(obj: Any, response: dict[str, Any]) -> Problems:
    if "patch" not in response:
        return []
    if response.get("patchType") != "JSONPatch":
        return [f"patchType {response.get('patchType')!r}"]
    try:
        operations = json.loads(base64.b64decode(response["patch"], validate=True))
        jsonpatch.apply(copy.deepcopy(obj), operations)
    except (binascii.Error, ValueError, JsonPatchError, TypeError, KeyError, IndexError) as err:
        return [f"the patch does not apply: {type(err).__name__}: {err}"[:400]]
    return []


def _conversion(case: Case, response: dict[str, Any]) -> Problems:
    assert case.sent is not None
    request = case.sent["request"]
    result = response.get("result")
    if not isinstance(result, dict) or result.get("status") not in ("Success", "Failure"):
        return [f"malformed result: {str(response)[:300]}"]
    if result["status"] == "Failure":
        message = result.get("message")
        if not isinstance(message, str) or not message or "internal error" in message:
            return [f"conversion failed: {str(message)[:400]}"]
        if case.mutation in ("whole", "charset") and not any(map(_carries, request["objects"])):
            return [f"a valid review failed: {message[:400]}"]
        return []
    if not case.exact:
        return []
    return _converted(request, response.get("convertedObjects"))


def _carries(obj: dict[str, Any]) -> bool:
    """Whether ``obj`` has the carrier annotation (drawn readable or not, so it may fail)."""
    annotations = obj.get("metadata", {}).get("annotations") or {}
    return CARRIED_FIELDS_ANNOTATION in annotations


def _converted(request: dict[str, Any], converted: Any) -> Problems:
    objects, desired = request["objects"], request["desiredAPIVersion"]
    if not isinstance(converted, list) or len(converted) != len(objects):
        return [f"{len(objects)} objects sent, answered with {str(converted)[:200]}"]
    problems = []
    for sent, out in zip(objects, converted, strict=True):
        if not isinstance(out, dict) or out.get("apiVersion") != desired:
            problems.append(f"not converted to {desired}: {str(out)[:200]}")
        elif out.get("kind") != sent.get("kind"):
            problems.append(f"kind {out.get('kind')!r} from {sent.get('kind')!r}")
        elif sent.get("apiVersion") == desired and out != sent:
            problems.append(f"an object already in {desired} changed: {str(out)[:200]}")
    return problems


def outcome(answer: Answer) -> str:
    """A short name for what ``answer`` was, for the run's tally."""
    if answer.status != 200:
        return f"HTTP {answer.status}"
    response = json.loads(answer.body).get("response", {})
    if "allowed" in response:
        if response["allowed"]:
            return "allowed with a patch" if response.get("patch") else "allowed"
        return f"denied {response.get('status', {}).get('code')}"
    return f"conversion {response.get('result', {}).get('status')}"
