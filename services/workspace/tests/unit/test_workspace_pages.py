"""The pages over fakes of the services' APIs: who sees what, forms and their errors, language, CSRF."""

import hashlib
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from workspace_fakes import (
    FakeMeasuresApi,
    FakeProcurationApi,
    FakeReportingApi,
    FakeSignalementApi,
    fake_workspace,
)

from workspace.bootstrap import Workspace
from workspace.entrypoints.http.app import create_app
from workspace.service_layer.ports import ApiProblem

pytestmark = pytest.mark.unit


@pytest.fixture
def workspace() -> Workspace:
    return fake_workspace()


@pytest.fixture
def client(workspace: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace.settings, workspace)) as test_client:
        yield test_client


def sign_in(client: TestClient, username: str) -> str:
    response = client.post("/signin", data={"username": username, "password": "cii-demo", "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/announce") if username.startswith("worker") else client.get("/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text) or re.search(
        r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert found
    return found.group(1)


def signalement(workspace: Workspace) -> FakeSignalementApi:
    assert isinstance(workspace.signalement, FakeSignalementApi)
    return workspace.signalement


def test_without_a_session_every_page_sends_to_the_sign_in(client: TestClient) -> None:
    for path in ("/", "/triage", "/situations/x", "/cases", "/audit", "/announce"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin?next=")


def test_a_wrong_password_is_refused_naming_the_field(client: TestClient) -> None:
    response = client.post("/signin", data={"username": "coord.sion", "password": "nope"})
    assert response.status_code == 422
    assert 'href="#username"' in response.text and "mot de passe n'est pas correct" in response.text


def test_the_session_cookie_is_http_only_and_holds_no_token(client: TestClient) -> None:
    response = client.post("/signin", data={"username": "coord.sion", "password": "cii-demo"},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "token-coord.sion" not in cookie


def test_home_lists_what_needs_the_coordinator_overdue_first(client: TestClient, workspace: Workspace) -> None:
    signalement(workspace).add(external_ref="LATE-1", triage_overdue=True, triage_due_on="2026-01-02")
    signalement(workspace).add(external_ref="OTHER-REGION", region="MONTHEY")
    assert isinstance(workspace.measures, FakeMeasuresApi)
    workspace.measures.alerts_.append({"kind": "NO_MEETING", "situation_id": "s", "measure_id": "m9",
                                       "due_on": "2026-01-10"})
    sign_in(client, "coord.sion")
    page = client.get("/").text
    assert page.index("LATE-1") < page.index("Pas d&#39;entretien depuis plus de deux semaines")
    assert "10.01.2026" in page and "02.01.2026" in page and "OTHER-REGION" not in page


def test_another_institutions_situation_is_not_found(client: TestClient, workspace: Workspace) -> None:
    found = signalement(workspace).add(institution="ORP")
    sign_in(client, "worker.cms")
    response = client.get(f"/situations/{found['id']}")
    assert response.status_code == 404 and "Page introuvable" in response.text


def test_language_switch_is_remembered(client: TestClient) -> None:
    sign_in(client, "coord.sion")
    assert "Was heute ansteht" in client.get("/?lang=de").text
    assert 'lang="de"' in client.get("/triage").text
    client.cookies.delete("cii_workspace_session")
    assert "Anmelden" in client.get("/signin").text  # the cookie remembers it for the next session


def test_the_announcement_shows_the_apis_field_errors_in_the_persons_language(
        client: TestClient, workspace: Workspace) -> None:
    csrf = sign_in(client, "worker.orp")
    signalement(workspace).reject_with = ApiProblem(422, "Unprocessable Content", errors=[
        {"field": "person.avs_number", "message": "wrong check digit (EAN-13)"},
        {"field": "risk_factors.0", "message": "Input should be 'HEALTH', 'ADDICTION'"}])
    response = client.post("/announce?lang=de", data={"csrf_token": csrf, "external_ref": "R-1",
                                                      "announced_on": "01.03.2026", "birth_date": "14.03.1985",
                                                      "follow_up_started_on": "01.01.2025"})
    assert response.status_code == 422
    assert 'href="#avs_number"' in response.text and 'href="#risk_factors"' in response.text
    assert "Diese AHV-Nummer ist ungültig: prüfen Sie die Ziffern" in response.text
    assert "Diese Angabe wird nicht akzeptiert" in response.text
    assert 'aria-describedby="avs_number-hint avs_number-error"' in response.text


def test_a_date_not_in_swiss_format_is_refused_before_any_call(client: TestClient, workspace: Workspace) -> None:
    csrf = sign_in(client, "worker.orp")
    response = client.post("/announce", data={"csrf_token": csrf, "announced_on": "2026/03/01"})
    assert response.status_code == 422 and "jour.mois.année" in response.text
    assert signalement(workspace).announced == []


def test_the_announcement_reaches_the_api_with_the_persons_answers(client: TestClient,
                                                                   workspace: Workspace) -> None:
    csrf = sign_in(client, "worker.orp")
    response = client.post("/announce", data={
        "csrf_token": csrf, "external_ref": "R-2", "announced_on": "01.03.2026", "collaborator": "A",
        "respondent": "B", "avs_number": "756.1234.5678.97", "last_name": "X", "first_name": "Y",
        "birth_date": "14.03.1985", "sex": "F", "region": "SION", "education_level": "NONE",
        "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FAMILY"], "employment_gap": "EMPLOYED",
        "follow_up_started_on": "01.01.2025"}, follow_redirects=False)
    assert response.status_code == 303
    sent = signalement(workspace).announced[0]
    assert sent["announced_on"] == "2026-03-01" and sent["risk_factors"] == ["HEALTH", "FAMILY"]
    assert sent["person"]["birth_date"] == "1985-03-14"


def test_a_form_without_the_csrf_token_changes_nothing(client: TestClient, workspace: Workspace) -> None:
    found = signalement(workspace).add()
    sign_in(client, "coord.sion")
    response = client.post(f"/situations/{found['id']}/triage", data={"decision": "ACCEPT_COMPLEX"})
    assert response.status_code == 403 and signalement(workspace).triaged == []


def test_triage_needs_a_decision_then_records_it(client: TestClient, workspace: Workspace) -> None:
    found = signalement(workspace).add()
    csrf = sign_in(client, "coord.sion")
    refused = client.post(f"/situations/{found['id']}/triage", data={"csrf_token": csrf})
    assert refused.status_code == 422 and 'id="decision-error"' in refused.text
    client.post(f"/situations/{found['id']}/triage", data={"csrf_token": csrf, "decision": "ACCEPT_COMPLEX"})
    assert signalement(workspace).triaged == [(found["id"], "ACCEPT_COMPLEX", None)]


def test_the_situation_file_shows_the_gravity_factors_as_words(client: TestClient, workspace: Workspace) -> None:
    found = signalement(workspace).add()
    sign_in(client, "coord.sion")
    page = client.get(f"/situations/{found['id']}").text
    assert "Santé" in page and "Sans emploi depuis plus de trois ans" in page and "OVER_THREE_YEARS" not in page
    assert "Non affichée : aucune procuration ne l&#39;autorise" in page


def test_search_by_an_invalid_avs_number_names_the_field(client: TestClient) -> None:
    sign_in(client, "coord.sion")
    response = client.get("/search?q=756.0000.0000.00")
    assert response.status_code == 422 and 'href="#q"' in response.text


def test_the_procuration_records_the_signed_forms_hash(client: TestClient, workspace: Workspace) -> None:
    csrf = sign_in(client, "worker.orp")
    response = client.post("/procurations", data={
        "csrf_token": csrf, "procuration_id": "P-1", "avs_number": "756.1234.5678.97", "last_name": "X",
        "first_name": "Y", "birth_date": "14.03.1985", "signed_on": "01.03.2026", "valid_from": "01.03.2026",
        "valid_until": "01.03.2027", "parties": ["ORP", "CMS", "BUREAU"], "categories": "HEALTH",
        "purposes": "CII_COORDINATION"}, files={"document": ("form.pdf", b"%PDF signed", "application/pdf")})
    assert response.status_code == 200
    assert isinstance(workspace.procuration, FakeProcurationApi)
    sent = workspace.procuration.recorded[0]
    assert sent["document_sha256"] == hashlib.sha256(b"%PDF signed").hexdigest()
    assert sent["parties"] == ["ORP", "CMS", "BUREAU"] and sent["categories"] == ["HEALTH"]
    assert workspace.procuration.forms["P-1"] == (b"%PDF signed", "application/pdf")  # kept, sealed, by procuration
    assert "Le formulaire signé est conservé, scellé" in response.text
    assert 'id="parties-BUREAU"' in client.get("/procurations/new").text


def test_closing_a_case_sends_the_report_and_the_letters_language(client: TestClient,
                                                                  workspace: Workspace) -> None:
    assert isinstance(workspace.measures, FakeMeasuresApi)
    workspace.measures.measures["m1"] = {"id": "m1", "type": "CASE_MANAGEMENT", "status": "started",
                                         "situation_id": "s1", "meetings": [], "contract": None,
                                         "case_manager": {"institution": "CMS"}}
    csrf = sign_in(client, "respondent.cms")
    assert "Case management" in client.get("/cases").text
    refused = client.post("/cases/m1/close", data={"csrf_token": csrf, "closed_on": "01.06.2026"})
    assert refused.status_code == 422 and 'href="#reinsertion"' in refused.text
    client.post("/cases/m1/close", data={"csrf_token": csrf, "closed_on": "01.06.2026", "reinsertion": "yes",
                                         "final_report": "done", "letter_language": "de"})
    assert workspace.measures.actions[-1] == ("m1", "close", {"closed_on": "2026-06-01", "reinsertion": True,
                                                              "final_report": "done", "language": "de"})


def test_the_audit_page_is_for_the_data_protection_officer(client: TestClient) -> None:
    sign_in(client, "coord.sion")
    assert client.get("/audit").status_code == 403
    client.get("/logout")
    sign_in(client, "dpo")
    page = client.get("/audit?pseudonym=p-1").text
    assert "42 entrées vérifiées" in page and "Social-medical centre" not in page and "Centre médico-social" in page


def test_only_the_cantonal_officer_erases_a_person_after_confirming(client: TestClient,
                                                                     workspace: Workspace) -> None:
    assert isinstance(workspace.procuration, FakeProcurationApi)
    csrf = sign_in(client, "dpo")
    assert "Seul le responsable cantonal efface" in client.get("/audit").text
    assert client.post("/audit/erase", data={"csrf_token": csrf, "erase_pseudonym": "p-1",
                                             "confirm": "yes"}).status_code == 403
    client.get("/logout")
    csrf = sign_in(client, "officer")
    client.cookies.set("cii_workspace_lang", "de")
    page = client.post("/audit/erase", data={"csrf_token": csrf, "erase_pseudonym": ""})
    assert page.status_code == 422
    assert 'id="erase_pseudonym-error"' in page.text and 'id="confirm-error"' in page.text
    assert "Bestätigen Sie die Löschung" in page.text
    unknown = client.post("/audit/erase", data={"csrf_token": csrf, "erase_pseudonym": "p-9", "confirm": "yes"})
    assert unknown.status_code == 422 and "keine Person mit diesem Pseudonym" in unknown.text
    assert workspace.procuration.erased == []
    done = client.post("/audit/erase", data={"csrf_token": csrf, "erase_pseudonym": "p-1", "confirm": "yes"})
    assert done.status_code == 200 and "Die Daten der Person sind gelöscht" in done.text
    assert workspace.procuration.erased == ["p-1"]


def test_the_secretariat_sees_the_sessions_to_come_and_the_contact_data_the_procuration_permits(
        client: TestClient, workspace: Workspace) -> None:
    assert isinstance(workspace.measures, FakeMeasuresApi)
    soon, later = (date.today() + timedelta(days=3)).isoformat(), (date.today() + timedelta(days=20)).isoformat()
    permitted = signalement(workspace).add(person_access="GRANTED", announcer={"respondent": "B. Rey"},
                                           person={"first_name": "Claire", "last_name": "Exemple",
                                                   "birth_date": "1985-03-14", "language": "de"})
    refused = signalement(workspace).add()
    workspace.measures.measures.update({
        "m-late": {"id": "m-late", "type": "ASSESSMENT", "status": "scheduled", "scheduled_on": later,
                   "situation_id": refused["id"], "region": "SION", "announced_by": "ORP",
                   "participants": [{"institution": "OAI"}]},
        "m-soon": {"id": "m-soon", "type": "TRO", "status": "scheduled", "scheduled_on": soon,
                   "situation_id": permitted["id"], "region": "SION", "announced_by": "ORP",
                   "participants": [{"institution": "ORP"}, {"institution": "CMS"}]},
        "m-held": {"id": "m-held", "type": "TRO", "status": "held", "scheduled_on": soon,
                   "situation_id": permitted["id"], "participants": []}})
    sign_in(client, "worker.orp")
    assert client.get("/invitations").status_code == 403
    client.get("/logout")
    sign_in(client, "secretariat")
    page = client.get("/invitations").text
    assert "2 séances à venir" in page and "m-held" not in page
    assert page.index("m-soon") < page.index("m-late")  # the nearest first
    assert "Table ronde (TRO)" in page and "Centre médico-social" in page and "Claire" not in page
    detail = client.get("/invitations/m-soon").text
    assert "Claire Exemple" in detail and "14.03.1985" in detail and "Allemand" in detail and "B. Rey" in detail
    withheld = client.get("/invitations/m-late").text
    assert "Claire" not in withheld and "aucune procuration ne l&#39;autorise" in withheld


def test_the_coordinators_regional_view_pages_and_filters_the_alerts(client: TestClient,
                                                                      workspace: Workspace) -> None:
    assert isinstance(workspace.reporting, FakeReportingApi)
    day = date.today() - timedelta(days=5)
    workspace.reporting.alerts = [
        {"alert_id": f"a{i}", "kind": "TRIAGE_OVERDUE" if i % 2 else "CONTRACT_OVERDUE", "situation_id": f"s{i}",
         "region": "SION" if i < 30 else "MONTHEY", "due_on": (day + timedelta(days=i)).isoformat()}
        for i in range(40)]
    sign_in(client, "worker.orp")
    assert client.get("/report").status_code == 403
    assert client.get("/report/annual/2025.csv").status_code == 403
    client.get("/logout")
    sign_in(client, "coord.sion")
    page = client.get("/report").text
    assert "30 alertes" in page and "/situations/s0" in page and "/situations/s24" in page
    assert "/situations/s25" not in page and "/situations/s30" not in page  # 25 a page, Sion's only
    assert 'href="/report?region=SION&amp;kind=&amp;offset=25#alerts"' in page
    assert "Situations ouvertes par région" in page and "Ses mesures sont terminées" in page
    second = client.get("/report?region=SION&offset=25").text
    assert "/situations/s29" in second and "/situations/s24" not in second
    monthey = client.get("/report?region=MONTHEY&kind=TRIAGE_OVERDUE&lang=de").text
    assert "5 Warnungen" in monthey and "/situations/s31" in monthey and "/situations/s30" not in monthey
    everywhere = client.get("/report?region=").text
    assert "40 Warnungen" in everywhere
    export = client.get("/report/annual/2025.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"] == 'attachment; filename="cii-report-2025.csv"'
    assert client.get("/report/annual/2025.exe").status_code == 404
    assert client.get("/report/annual/1999.csv").status_code == 404


def test_a_signed_form_of_another_kind_is_refused_naming_the_field(client: TestClient, workspace: Workspace) -> None:
    csrf = sign_in(client, "worker.orp")
    response = client.post("/procurations", data={
        "csrf_token": csrf, "procuration_id": "P-2", "avs_number": "756.1234.5678.97", "last_name": "X",
        "first_name": "Y", "birth_date": "14.03.1985", "signed_on": "01.03.2026", "valid_from": "01.03.2026",
        "valid_until": "01.03.2027", "parties": ["ORP", "BUREAU"], "categories": "IDENTITY",
        "purposes": "CII_COORDINATION"}, files={"document": ("form.docx", b"PK word", "application/msword")})
    assert response.status_code == 422 and 'id="document-error"' in response.text
    assert "doit être un fichier PDF, PNG ou JPEG" in response.text
    assert isinstance(workspace.procuration, FakeProcurationApi) and workspace.procuration.recorded == []


def test_a_renewal_is_filled_in_from_the_procuration_it_renews(client: TestClient, workspace: Workspace) -> None:
    sign_in(client, "worker.orp")
    form = client.get("/procurations/new?renew=P-OLD").text
    assert "Renouvellement de la procuration" in form and "31.05.2026" in form and "En vigueur" in form
    for box in ("parties-BUREAU", "parties-ORP", "categories-IDENTITY", "categories-SOCIAL",
                "purposes-CII_COORDINATION"):
        assert re.search(rf'id="{box}"[^>]*checked', form), box
    assert not re.search(r'id="parties-CMS"[^>]*checked', form)
    assert 'value="756.1234.5678.97"' in form and 'value="14.03.1985"' in form
    until = (date.today() + timedelta(days=364)).strftime("%d.%m.%Y")  # as long as the old one (364 days)
    assert f'value="{until}"' in form
    named = signalement(workspace).add(procuration_id="P-OLD", institution="ORP")
    from_task = client.get(f"/procurations/new?situation_id={named['id']}")
    assert "Renouvellement de la procuration" in from_task.text
    unknown = client.get("/procurations/new?renew=P-NONE&lang=de")
    assert unknown.status_code == 422 and 'id="renew-error"' in unknown.text
    assert "Ihnen ist keine Vollmacht mit dieser Referenz bekannt" in unknown.text


def test_assets_are_served_by_the_workspace_itself(client: TestClient) -> None:
    assert client.get("/static/htmx-2.0.4.min.js").status_code == 200
    page = client.get("/signin")
    assert "https://" not in page.text and "default-src 'self'" in page.headers["content-security-policy"]


def test_operations_routes_are_not_served_through_a_proxy(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
