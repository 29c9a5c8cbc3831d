"""The services' HTTP APIs (docs/contract.md section 7), called with the signed-in person's bearer token."""

from typing import Any

import httpx

from ..service_layer.ports import ApiProblem, Json


class HttpApi:
    def __init__(self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def ready(self) -> bool:
        try:
            return (await self._client.get("/healthz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    async def _send(self, method: str, path: str, token: str, *, params: dict[str, Any] | None = None,
                    json: Json | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = await self._client.request(method, path, params=clean, json=json, headers={
                "Authorization": f"Bearer {token}", **(headers or {})})
        except httpx.HTTPError as exc:
            raise ApiProblem(503, "Service Unavailable", f"{self._client.base_url} unreachable ({exc!r})") from exc
        if response.status_code >= 400:
            raise problem_of(response)
        return response

    async def _json(self, method: str, path: str, token: str, **kwargs: Any) -> Json:
        body: Json = (await self._send(method, path, token, **kwargs)).json()
        return body


def problem_of(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiProblem(response.status_code, str(body.get("title") or response.reason_phrase), body.get("detail"),
                      list(body.get("errors") or []))


class HttpSignalementApi(HttpApi):
    async def list_situations(self, token: str, **filters: Any) -> Json:
        return await self._json("GET", "/api/v1/signalements", token, params=filters)

    async def get_situation(self, token: str, situation_id: str) -> Json:
        return await self._json("GET", f"/api/v1/signalements/{situation_id}", token)

    async def announce(self, token: str, payload: Json, idempotency_key: str) -> str:
        body = await self._json("POST", "/api/v1/signalements", token, json=payload,
                                headers={"Idempotency-Key": idempotency_key})
        return str(body["id"])

    async def triage(self, token: str, situation_id: str, decision: str, reason: str | None) -> Json:
        return await self._json("POST", f"/api/v1/signalements/{situation_id}/triage", token,
                                json={"decision": decision, "reason": reason})


class HttpMeasuresApi(HttpApi):
    async def list_measures(self, token: str, **filters: Any) -> Json:
        return await self._json("GET", "/api/v1/measures", token, params={"limit": 500, **filters})

    async def get_measure(self, token: str, measure_id: str) -> Json:
        return await self._json("GET", f"/api/v1/measures/{measure_id}", token)

    async def request_measure(self, token: str, body: Json) -> str:
        return str((await self._json("POST", "/api/v1/measures", token, json=body))["id"])

    async def act(self, token: str, measure_id: str, action: str, body: Json) -> Json:
        return await self._json("POST", f"/api/v1/measures/{measure_id}/{action}", token, json=body)

    async def alerts(self, token: str) -> Json:
        return await self._json("GET", "/api/v1/alerts", token, params={"limit": 500})

    async def document(self, token: str, measure_id: str, name: str) -> tuple[bytes, str]:
        response = await self._send("GET", f"/api/v1/measures/{measure_id}/{name}", token)
        return response.content, response.headers.get("content-type", "application/octet-stream")


class HttpProcurationApi(HttpApi):
    async def record(self, token: str, payload: Json) -> str:
        return str((await self._json("POST", "/api/v1/procurations", token, json=payload))["id"])

    async def get(self, token: str, procuration_id: str) -> Json:
        return await self._json("GET", f"/api/v1/procurations/{procuration_id}", token)

    async def verify_audit(self, token: str) -> Json:
        return await self._json("GET", "/api/v1/audit/verify", token)

    async def access_report(self, token: str, pseudonym: str) -> Json:
        return await self._json("GET", f"/api/v1/persons/{pseudonym}/access-report", token)

    async def store_form(self, token: str, procuration_id: str, content: bytes, content_type: str) -> Json:
        """The signed form, kept sealed by procuration (PUT .../document; its SHA-256 must be the recorded one)."""
        try:
            response = await self._client.put(f"/api/v1/procurations/{procuration_id}/document", content=content,
                                              headers={"Authorization": f"Bearer {token}",
                                                       "Content-Type": content_type})
        except httpx.HTTPError as exc:
            raise ApiProblem(503, "Service Unavailable", f"procuration unreachable ({exc!r})") from exc
        if response.status_code >= 400:
            raise problem_of(response)
        body: Json = response.json()
        return body

    async def erase(self, token: str, pseudonym: str) -> Json:
        return await self._json("POST", f"/api/v1/persons/{pseudonym}/erase", token)


class HttpReportingApi(HttpApi):
    async def dashboard(self, token: str) -> Json:
        return await self._json("GET", "/api/v1/dashboard", token)

    async def annual_report(self, token: str, year: int, extension: str) -> tuple[bytes, str, str]:
        """The file as reporting makes it: content, its type and its Content-Disposition."""
        response = await self._send("GET", f"/api/v1/reports/annual/{year}.{extension}", token)
        return (response.content, response.headers.get("content-type", "application/octet-stream"),
                response.headers.get("content-disposition", ""))


class HttpNotificationInbox(HttpApi):
    async def inbox(self, token: str, *, unread: bool, limit: int) -> Json | None:
        try:
            return await self._json("GET", "/api/v1/inbox", token, params={"unread": str(unread).lower(),
                                                                           "limit": limit})
        except ApiProblem:
            return None  # the inbox is a convenience: the home page still shows what needs the person


class NoNotificationInbox:
    """Until the notifications service (issue 17) is deployed (NOTIFIER_URL unset)."""

    async def inbox(self, token: str, *, unread: bool, limit: int) -> Json | None:
        return None
