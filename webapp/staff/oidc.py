"""Sign-in through the city's OpenID Provider (Microsoft Entra ID in production; nothing here is
Entra's own): the authorization code flow with PKCE (S256) and a nonce, by Authlib's Flask client.

Authlib checks the ID token's signature against the provider's JWKS, and its iss, aud, azp,
exp, iat, nonce and at_hash; the state must be the one this browser's sign-in cookie holds.
Here: only asymmetric signatures count (never `none`, never a key shared with us), and `iss`
must be WEBAPP_STAFF_OIDC_ISSUER itself, in the discovery document and in the token.
"""

from urllib.parse import urlsplit

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import current_app

from . import access_log, roles

# Signatures made with the provider's private key; HS* would be keyed with our client secret.
ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
NAME = "city"
# Seconds of clock difference between us and the provider tolerated for exp and iat.
LEEWAY = 60


class IssuerMismatch(Exception):
    """The discovery document names another issuer than the configured one."""


class Provider(FlaskOAuth2App):
    def load_server_metadata(self):
        metadata = super().load_server_metadata()
        if metadata.get("issuer") != current_app.config["STAFF_OIDC_ISSUER"]:
            raise IssuerMismatch(metadata.get("issuer"))
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        metadata["id_token_signing_alg_values_supported"] = [alg for alg in offered if alg in ASYMMETRIC]
        return metadata


def origin() -> str:
    """scheme://host[:port] of the provider: sign-out's form leads there (the end-session endpoint)."""
    parts = urlsplit(current_app.config["STAFF_OIDC_ISSUER"])
    return f"{parts.scheme}://{parts.netloc}"


def configured(app=None) -> bool:
    return bool((app or current_app).config["STAFF_OIDC_ISSUER"])


def client() -> Provider:
    return current_app.extensions["authlib.integrations.flask_client"].create_client(NAME)


def claims_options() -> dict:
    # Authlib checks `aud` only when told to (it checks azp against the client id, which a token
    # for another audience may carry): the token must be meant for us.
    config = current_app.config
    return {
        "iss": {"essential": True, "value": config["STAFF_OIDC_ISSUER"]},
        "aud": {"essential": True, "value": config["STAFF_OIDC_CLIENT_ID"]},
    }


def person(userinfo: dict) -> access_log.Actor:
    config = current_app.config
    role = roles.from_claims(userinfo, config["STAFF_ROLE_CLAIM"], config["STAFF_ROLES"])
    name = userinfo.get("name") or userinfo.get("preferred_username") or userinfo.get("email") or userinfo["sub"]
    return access_log.Actor(userinfo["sub"], name, role)


def init_app(app) -> None:
    # One registry per app (Authlib keeps its clients in it): tests make apps with different providers.
    oauth = OAuth(app)
    if not configured(app):
        return
    issuer = app.config["STAFF_OIDC_ISSUER"]
    oauth.register(
        NAME,
        client_cls=Provider,
        client_id=app.config["STAFF_OIDC_CLIENT_ID"],
        client_secret=app.config["STAFF_OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["STAFF_OIDC_SCOPE"], "code_challenge_method": "S256", "timeout": 10},
    )
