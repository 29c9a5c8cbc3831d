"""Settings shared by every service (pydantic-settings; built in __main__, never at import)."""

import ssl
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[4]


def default_data_dir() -> Path:
    return REPO_ROOT / ".local"



def settings_config(env_prefix: str = "") -> SettingsConfigDict:
    """How every settings class reads its environment: empty variables and unknown ones are ignored, and a
    field is set by its name or by its alias. A service passes its prefix (SIGNALEMENT_, ...)."""
    return SettingsConfigDict(env_prefix=env_prefix, env_ignore_empty=True, extra="ignore", populate_by_name=True)

class PlatformSettings(BaseSettings):
    """Environment variables without prefix are the platform-wide ones of docs/contract.md section 1."""

    model_config = settings_config()

    service_name: str = "cii"
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", alias="KAFKA_BOOTSTRAP_SERVERS")
    # Production: mutual TLS to Strimzi's listener (certificates mounted from its KafkaUser secret).
    kafka_security_protocol: str = Field("PLAINTEXT", alias="KAFKA_SECURITY_PROTOCOL", pattern="^(PLAINTEXT|SSL)$")
    kafka_ssl_ca_file: Path | None = Field(None, alias="KAFKA_SSL_CA_FILE")
    kafka_ssl_cert_file: Path | None = Field(None, alias="KAFKA_SSL_CERT_FILE")
    kafka_ssl_key_file: Path | None = Field(None, alias="KAFKA_SSL_KEY_FILE")
    # Locally the platform creates its topics; in production Strimzi's KafkaTopic resources own them.
    kafka_create_topics: bool = Field(True, alias="CII_KAFKA_CREATE_TOPICS")
    mongodb_url: str = Field("mongodb://127.0.0.1:27017", alias="MONGODB_URL")
    data_dir: Path = Field(default_factory=default_data_dir, alias="CII_DATA_DIR")
    http_host: str = Field("127.0.0.1", alias="CII_HTTP_HOST")
    log_level: str = Field("INFO", alias="LOG_LEVEL")

    # Two trusted issuers (docs/contract.md sections 1 and 9). The platform's own (CII_JWT_ISSUER, the key pair
    # of CII_JWT_PUBLIC_KEY_FILE): services' tokens, and people's by `cii token` in local mode only
    # (CII_LOCAL_TOKENS). The identity provider, Keycloak's realm `cii` (CII_OIDC_ISSUER, keys from its JWKS
    # at CII_JWT_JWKS_URL): people signed in and institutions' systems.
    jwt_issuer: str = Field("cii-local", alias="CII_JWT_ISSUER")
    jwt_audience: str = Field("cii-platform", alias="CII_JWT_AUDIENCE")
    jwt_public_key_file: Path | None = Field(None, alias="CII_JWT_PUBLIC_KEY_FILE")
    jwt_jwks_url: str | None = Field(None, alias="CII_JWT_JWKS_URL")
    local_tokens: bool = Field(True, alias="CII_LOCAL_TOKENS")
    keycloak_port: int = Field(8180, alias="CII_KEYCLOAK_PORT")
    oidc_issuer_url: str | None = Field(None, alias="CII_OIDC_ISSUER")
    # Where a service reads the provider's discovery document when it cannot reach the issuer's own address
    # (in a container network: Keycloak's internal name; its back-channel endpoints then follow that name).
    oidc_discovery_url_setting: str | None = Field(None, alias="CII_OIDC_DISCOVERY_URL")
    # The public client of the browser pages (authorization code with PKCE).
    oidc_client_id: str = Field("cii-web", alias="CII_OIDC_CLIENT_ID")
    # Pages only: "auto" marks the session cookie Secure when the request came over HTTPS (behind a proxy:
    # X-Forwarded-Proto from a trusted address); "always" in production.
    cookie_secure: str = Field("auto", alias="CII_COOKIE_SECURE", pattern="^(auto|always)$")
    # Local mode only: the key that mints tokens (people's by `cii token`, services' for internal calls).
    service_token_key_file: Path | None = Field(None, alias="CII_SERVICE_TOKEN_KEY_FILE")
    service_token: str | None = Field(None, alias="CII_SERVICE_TOKEN")
    pseudonym_key_file: Path | None = Field(None, alias="CII_PSEUDONYM_KEY_FILE")
    reference_data_file: Path | None = Field(None, alias="CII_REFERENCE_DATA_FILE")

    procuration_url: str = Field("http://127.0.0.1:8003", alias="PROCURATION_URL")

    inbound_retention_days: int = Field(7, alias="CII_INBOUND_RETENTION_DAYS")
    topic_partitions: int = Field(3, alias="CII_TOPIC_PARTITIONS")
    handler_max_attempts: int = Field(3, alias="CII_HANDLER_MAX_ATTEMPTS")
    max_message_bytes: int = Field(1_000_000, alias="CII_MAX_MESSAGE_BYTES")
    outbox_poll_seconds: float = Field(0.5, alias="CII_OUTBOX_POLL_SECONDS")

    def kafka_ssl_context(self) -> "ssl.SSLContext | None":
        if self.kafka_security_protocol != "SSL":
            return None
        context = ssl.create_default_context(cafile=str(self.kafka_ssl_ca_file) if self.kafka_ssl_ca_file else None)
        if self.kafka_ssl_cert_file and self.kafka_ssl_key_file:
            context.load_cert_chain(str(self.kafka_ssl_cert_file), str(self.kafka_ssl_key_file))
        return context

    @property
    def oidc_issuer(self) -> str:
        """The identity provider's issuer: by default the local Keycloak's realm `cii` (CII_KEYCLOAK_PORT)."""
        return (self.oidc_issuer_url or f"http://127.0.0.1:{self.keycloak_port}/realms/cii").rstrip("/")

    @property
    def oidc_discovery_url(self) -> str:
        return self.oidc_discovery_url_setting or f"{self.oidc_issuer}/.well-known/openid-configuration"

    @property
    def oidc_jwks_url(self) -> str:
        return self.jwt_jwks_url or f"{self.oidc_issuer}/protocol/openid-connect/certs"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def key_file(self, configured: Path | None, default_name: str) -> Path:
        return configured or self.keys_dir / default_name

    @property
    def jwt_public_key_path(self) -> Path:
        return self.key_file(self.jwt_public_key_file, "jwt-public.pem")

    @property
    def jwt_private_key_path(self) -> Path:
        return self.key_file(self.service_token_key_file, "jwt-private.pem")

    @property
    def pseudonym_key_path(self) -> Path:
        return self.key_file(self.pseudonym_key_file, "pseudonym.key")


class ServiceSettings(PlatformSettings):
    """Base of each service's Settings: adds its port and database, read with the service's prefix."""

    http_port: int = 8000
    mongodb_database: str = "cii"
