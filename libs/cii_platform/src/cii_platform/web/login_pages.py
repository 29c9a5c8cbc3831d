"""The pages of the sign-in itself, in French or German: access refused, sign-in failed, logout confirmation.

A person refused a page gets a readable page in their language (never JSON), saying who they are signed in as
and letting them sign out to change account.
"""

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

LANGUAGES = ("fr", "de")
LANG_COOKIE = "cii_lang"

TEXT = {
    "fr": {
        "refused_title": "Accès refusé",
        "refused_intro": "Vous n'avez pas accès à cette page.",
        "signed_in_as": "Vous êtes connecté·e en tant que",
        "change": "Si vous devez utiliser un autre compte, déconnectez-vous.",
        "logout": "Se déconnecter",
        "logout_title": "Déconnexion",
        "logout_question": "Voulez-vous vous déconnecter de la plateforme CII ?",
        "failed_title": "Connexion impossible",
        "failed_400": "La connexion n'a pas abouti (lien expiré ou annulé).",
        "failed_503": "Le service d'identification ne répond pas pour le moment. Réessayez dans un instant.",
        "retry": "Se connecter",
        "home": "Retour à l'accueil",
    },
    "de": {
        "refused_title": "Zugriff verweigert",
        "refused_intro": "Sie haben keinen Zugriff auf diese Seite.",
        "signed_in_as": "Sie sind angemeldet als",
        "change": "Wenn Sie ein anderes Konto verwenden müssen, melden Sie sich ab.",
        "logout": "Abmelden",
        "logout_title": "Abmeldung",
        "logout_question": "Möchten Sie sich von der IIZ-Plattform abmelden?",
        "failed_title": "Anmeldung nicht möglich",
        "failed_400": "Die Anmeldung ist nicht zustande gekommen (Link abgelaufen oder abgebrochen).",
        "failed_503": "Der Identifikationsdienst antwortet im Moment nicht. Versuchen Sie es gleich noch einmal.",
        "retry": "Anmelden",
        "home": "Zurück zur Startseite",
    },
}

STYLE = ("body{font-family:system-ui,sans-serif;margin:3em auto;max-width:40em;color:#222;padding:0 1em}"
         "h1{font-size:1.5em}main{border:1px solid #ccd;border-radius:6px;padding:1em 1.5em}"
         "button,a.button{font:inherit;padding:.4em 1em;margin-top:1em}")


def page_language(request: Request) -> str:
    """?lang=fr|de, else the remembered choice, else the browser's Accept-Language, else French."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "fr"


def remember_language(request: Request, response: Response) -> None:
    """Keep an explicit ?lang= choice for the next pages (a cookie, readable before sign-in)."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")


def _page(language: str, title: str, body: str, status: int) -> HTMLResponse:
    html = (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f'<body><main><h1>{escape(title)}</h1>{body}</main></body></html>')
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _logout_form(text: dict[str, str], csrf: str) -> str:
    return (f'<form method="post" action="/logout"><input type="hidden" name="csrf_token" value="{escape(csrf)}">'
            f'<button type="submit" id="logout">{escape(text["logout"])}</button></form>')


def refusal_page(request: Request, reasons: dict[str, str], who: str | None, csrf: str | None, *,
                 status: int = 403) -> HTMLResponse:
    language = page_language(request)
    text = TEXT[language]
    body = f'<p>{escape(text["refused_intro"])}</p><p id="reason">{escape(reasons[language])}</p>'
    if who:
        body += f'<p>{escape(text["signed_in_as"])} <strong id="who">{escape(who)}</strong>.</p>'
    if csrf:
        body += f'<p>{escape(text["change"])}</p>' + _logout_form(text, csrf)
    response = _page(language, text["refused_title"], body, status)
    remember_language(request, response)
    return response


def logout_page(request: Request, csrf: str) -> HTMLResponse:
    language = page_language(request)
    text = TEXT[language]
    body = (f'<p>{escape(text["logout_question"])}</p>' + _logout_form(text, csrf)
            + f'<p><a href="/">{escape(text["home"])}</a></p>')
    return _page(language, text["logout_title"], body, 200)


def sign_in_failed_page(request: Request, *, status: int) -> HTMLResponse:
    language = page_language(request)
    text = TEXT[language]
    body = (f'<p>{escape(text["failed_503" if status == 503 else "failed_400"])}</p>'
            f'<p><a class="button" href="/login">{escape(text["retry"])}</a></p>')
    return _page(language, text["failed_title"], body, status)
