"""Sensitive-context filter: kinds, replacement format, hard negatives, idempotence, policy, corpus.

Fake credentials are assembled at run time so this file holds no token-shaped literals.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from engram.privacy.redaction import Finding, RedactionPolicy, RedactionResult, Redactor
from engram.privacy.redaction_metrics import evaluate, load_corpus

CORPUS = Path(__file__).resolve().parents[1] / "data" / "redaction_corpus.jsonl"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _fake(alphabet: str, n: int, seed: int = 7) -> str:
    """Deterministic pseudo-random string (LCG), mixing case and digits like real keys."""
    out, x = [], seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2**31
        out.append(alphabet[x % len(alphabet)])
    return "".join(out)


AN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
HEX = "0123456789abcdef"
JWT = ".".join(
    [
        _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
        _b64url(json.dumps({"sub": "1234567890", "iat": 1716239022}).encode()),
        _b64url(bytes(range(32))),
    ]
)
AWS_ID = "AKIA" + "Q3EGRT7MZLXK2PVN"
AWS_SECRET = _fake(AN + "/+", 40, 3)
GH = "ghp" + "_" + _fake(AN, 36, 11)
GH_PAT = "github" + "_pat_" + _fake(AN, 22, 12) + "_" + _fake(AN, 59, 13)
GLPAT = "glpat" + "-" + _fake(AN, 20, 14)
SLACK = "xoxb" + "-" + "123456789012-1234567890123-" + _fake(AN, 24, 15)
SLACK_HOOK_PATH = "T0123ABCD/B0456EFGH/" + _fake(AN, 24, 16)
STRIPE = "sk" + "_live_" + _fake(AN, 24, 17)
STRIPE_TEST = "sk" + "_test_" + _fake(AN, 24, 18)
OPENAI = "sk" + "-proj-" + _fake(AN, 48, 19)
ANTHROPIC = "sk" + "-ant-api03-" + _fake(AN + "-_", 93, 20) + "AA"
GOOGLE = "AI" + "za" + _fake(AN + "-_", 35, 21)
SENDGRID = "SG" + "." + _fake(AN, 22, 22) + "." + _fake(AN, 43, 23)
TWILIO_SK = "SK" + _fake(HEX, 32, 24)
NPM = "npm" + "_" + _fake(AN, 36, 25)
PYPI = "pypi" + "-AgEIcHlwaS5vcmc" + _fake(AN, 80, 26)
AZURE_KEY = _fake(AN + "+/", 86, 27) + "=="
PEM_BODY = [_fake(AN + "+/", 64, s) for s in (31, 32, 33)]

# (text, secret that must disappear, expected kind)
KIND_CASES = [
    ("password=hunter2", "hunter2", "password"),
    ("DB_PASSWD: 'S3cure!Pass2024'", "S3cure!Pass2024", "password"),
    ('{"user": "app", "password": "Tr0ub4dor&3"}', "Tr0ub4dor&3", "password"),
    ("mysqldump -u root -pRootPass99 orders > orders.sql", "RootPass99", "password"),
    ("vault login -method=userpass username=ops password=V4ultPassw0rd", "V4ultPassw0rd", "password"),
    ("createuser --username admin --password Adm1nSecret9 --noinput", "Adm1nSecret9", "password"),
    ("CREATE USER app WITH PASSWORD 'Pg!Pass2024';", "Pg!Pass2024", "password"),
    ("the staging db password is Blue42Falcon!", "Blue42Falcon!", "password"),
    ("api_key=" + _fake(HEX, 32, 40), _fake(HEX, 32, 40), "api_key"),
    ("client_secret: " + _fake(AN, 40, 41), _fake(AN, 40, 41), "secret"),
    ("export ACCESS_TOKEN=" + _fake(AN, 40, 42), _fake(AN, 40, 42), "token"),
    ("X-API-Key: " + _fake(AN, 32, 43), _fake(AN, 32, 43), "api_key"),
    ("Authorization: Bearer " + _fake(AN, 40, 44), _fake(AN, 40, 44), "bearer_token"),
    ("Authorization: Bearer " + JWT, JWT, "jwt"),
    ("id_token=" + JWT, JWT, "jwt"),
    ("aws_access_key_id = " + AWS_ID, AWS_ID, "aws_access_key"),
    ("aws_secret_access_key = " + AWS_SECRET, AWS_SECRET, "aws_secret_key"),
    (f"AWS_ACCESS_KEY_ID={AWS_ID} AWS_SECRET_ACCESS_KEY={AWS_SECRET} aws s3 ls", AWS_SECRET, "aws_secret_key"),
    ("GITHUB_TOKEN: " + GH, GH, "github_token"),
    ("use the fine-grained PAT " + GH_PAT + " for the bot", GH_PAT, "github_token"),
    ('curl --header "PRIVATE-TOKEN: ' + GLPAT + '" https://gitlab.example.com/api/v4/projects', GLPAT, "gitlab_token"),
    ("SLACK_BOT_TOKEN=" + SLACK, SLACK, "slack_token"),
    ("curl -X POST https://hooks.slack.com/services/" + SLACK_HOOK_PATH, SLACK_HOOK_PATH, "slack_webhook"),
    ('stripe.api_key = "' + STRIPE + '"', STRIPE, "stripe_key"),
    ("charge failed with key " + STRIPE_TEST, STRIPE_TEST, "stripe_key"),
    ("OPENAI_API_KEY=" + OPENAI, OPENAI, "openai_key"),
    ('client = anthropic.Anthropic(api_key="' + ANTHROPIC + '")', ANTHROPIC, "anthropic_key"),
    ("https://maps.googleapis.com/maps/api/geocode/json?address=x&key=" + GOOGLE, GOOGLE, "google_api_key"),
    ("SENDGRID_API_KEY=" + SENDGRID, SENDGRID, "sendgrid_key"),
    ("twilio api key " + TWILIO_SK, TWILIO_SK, "twilio_key"),
    ("//registry.npmjs.org/:_authToken=" + NPM, NPM, "npm_token"),
    ("twine upload -u __token__ -p " + PYPI + " dist/*", PYPI, "pypi_token"),
    (
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + AZURE_KEY + ";EndpointSuffix=core.windows.net",
        AZURE_KEY,
        "azure_storage_key",
    ),
    ("-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END RSA PRIVATE KEY-----", PEM_BODY[1], "private_key"),
    ("DATABASE_URL=postgresql://app:Pgs3cretPw@db.internal:5432/app", "Pgs3cretPw", "password"),
    ("redis://:R3disPassw0rd@cache:6379/0", "R3disPassw0rd", "password"),
    ("curl -u admin:Adm1nPass! https://jenkins.example.com/job/deploy/build", "Adm1nPass!", "password"),
    (
        "Authorization: Basic " + base64.b64encode(b"svc:Sup3rSecret").decode(),
        base64.b64encode(b"svc:Sup3rSecret").decode(),
        "basic_auth",
    ),
    ("ping alice.nguyen@example.com when the deploy finishes", "alice.nguyen@example.com", "email"),
]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.mark.parametrize(("text", "secret", "kind"), KIND_CASES, ids=[c[2] + f"-{i}" for i, c in enumerate(KIND_CASES)])
def test_each_kind_is_redacted(redactor: Redactor, text: str, secret: str, kind: str) -> None:
    result = redactor.redact(text)
    assert secret not in result.text
    assert f"[REDACTED:{kind}]" in result.text
    assert result.redacted
    assert any(f.kind == kind and text[f.start : f.end] for f in result.findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2", "password=[REDACTED:password]"),
        ("Authorization: Bearer " + JWT, "Authorization: Bearer [REDACTED:jwt]"),
        ("postgres://user:pw123@host/db", "postgres://user:[REDACTED:password]@host/db"),
        (AWS_ID, "[REDACTED:aws_access_key]"),
        ("mail bob@example.com today", "mail [REDACTED:email] today"),
        ('{"password": "x1y2z3"}', '{"password": "[REDACTED:password]"}'),
        ("https://hooks.slack.com/services/" + SLACK_HOOK_PATH, "https://hooks.slack.com/services/[REDACTED:slack_webhook]"),
        (
            "-----BEGIN PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\n[REDACTED:private_key]\n-----END PRIVATE KEY-----",
        ),
    ],
)
def test_replacement_keeps_context(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.redact(text).text == expected


def test_findings_point_into_original_text(redactor: Redactor) -> None:
    text = f"user=bob password=hunter22 key {AWS_ID} mail bob@example.com"
    result = redactor.redact(text)
    assert [text[f.start : f.end] for f in result.findings] == ["hunter22", AWS_ID, "bob@example.com"]
    assert [f.kind for f in result.findings] == ["password", "aws_access_key", "email"]
    assert all(isinstance(f, Finding) for f in result.findings)


HARD_NEGATIVES = [
    'FATAL:  password authentication failed for user "app"',
    "401 Unauthorized: token expired at 2024-05-01T10:00:00Z",
    "ValueError: invalid api key format",
    "commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "request_id=7c9e6679-7425-40de-944b-e07fc1f63b4d trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
    "open /home/app/.aws/credentials: permission denied",
    "password_file: /run/secrets/postgres_password",
    "upgraded numpy 1.26.4 -> 2.0.1 at 2024-03-11T09:14:22.531Z",
    "connected to db-primary.prod.internal:5432 from 10.12.4.17",
    "https://github.com/acme/api/pull/123/files",
    "postgres://app@db:5432/app?sslmode=require",
    "password=",
    "password=[REDACTED:password]",
    "token=<your-token>",
    "DB_PASSWORD=${DB_PASSWORD}",
    "password: ****",
    'api_key: "YOUR_API_KEY"',
    'password: "{{ vault_db_password }}"',
    "Authorization: Bearer $API_TOKEN",
    "env:\n  GITHUB_TOKEN: ***",
    "STRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "base64 blob dGhpcyBpcyBqdXN0IGEgZml4dHVyZQ== is a test fixture",
    'password = getpass.getpass("Password: ")',
    "conn = connect(user=user, password=password)",
    'api_key = os.getenv("OPENAI_API_KEY")',
    "client_secret = var.client_secret",
    "def login(username: str, password: str) -> Token:",
    "max_tokens=4096 prompt_tokens=812 completion_tokens=97",
    "token_type: bearer",
    "git clone git@github.com:acme/infra.git",
    "ssh -p 2222 deploy@bastion.example.com",
    "icon@2x.png npm install lodash@4.17.21",
    "The password is too short",
    "Bearer authentication is required for /admin",
    "use --password to pass it interactively",
    "mysql -h db -u root -p",
    "docker run -p 8080:80 nginx:1.25",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "Incorrect API key provided: sk-proj-****************************abcd.",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_stay_unchanged(redactor: Redactor, text: str) -> None:
    result = redactor.redact(text)
    assert result.text == text
    assert not result.redacted
    assert result.findings == []


@pytest.mark.parametrize("text", [c[0] for c in KIND_CASES] + HARD_NEGATIVES)
def test_redaction_is_idempotent(redactor: Redactor, text: str) -> None:
    once = redactor.redact(text)
    twice = redactor.redact(once.text)
    assert twice.text == once.text
    assert not twice.redacted


def test_corpus_is_idempotent(redactor: Redactor) -> None:
    for case in load_corpus(CORPUS):
        once = redactor.redact(case.text).text
        assert redactor.redact(once).text == once, case.text


def test_email_policy_switch() -> None:
    text = "ping alice@example.com"
    assert Redactor().redact(text).text == "ping [REDACTED:email]"
    assert Redactor(RedactionPolicy(redact_emails=False)).redact(text).text == text


def test_ip_policy_switch() -> None:
    text = "upstream 10.0.3.7:8080 and [2001:db8::1]:443 down; release 1.2.3.4 of v2.0.0.1"
    assert Redactor().redact(text).text == text
    redacted = Redactor(RedactionPolicy(redact_ips=True)).redact(text).text
    assert redacted == "upstream [REDACTED:ip]:8080 and [[REDACTED:ip]]:443 down; release 1.2.3.4 of v2.0.0.1"


def test_policy_does_not_change_credentials() -> None:
    text = "password=hunter2 from 10.0.0.1"
    assert Redactor(RedactionPolicy(redact_emails=False)).redact(text).text == "password=[REDACTED:password] from 10.0.0.1"


def test_redact_many_matches_redact(redactor: Redactor) -> None:
    texts = [c[0] for c in KIND_CASES[:5]] + HARD_NEGATIVES[:5]
    assert [r.text for r in redactor.redact_many(texts)] == [redactor.redact(t).text for t in texts]
    assert redactor.redact_many(iter([])) == []


def test_constructor_is_lazy() -> None:
    assert Redactor()._active is None  # detectors are built on first use, not in __init__


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n", "\x00\ud800 password=\U0001f600abc", "é" * 10_000, "password=" * 5_000, "a" * 300_000,
     "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 100_000, "https://" + "a:" * 20_000 + "@", "@" * 50_000],
)
def test_never_crashes(redactor: Redactor, text: str) -> None:
    result = redactor.redact(text)
    assert isinstance(result, RedactionResult)
    assert redactor.redact(result.text).text == result.text


def test_non_str_input_is_coerced(redactor: Redactor) -> None:
    assert redactor.redact(None).text == ""  # type: ignore[arg-type]
    assert redactor.redact(b"password=hunter2").text == "password=[REDACTED:password]"  # type: ignore[arg-type]


def test_unicode_text_is_preserved(redactor: Redactor) -> None:
    text = "Пароль для стенда: password=Zx9!pässwörd — спросите Анну"
    assert redactor.redact(text).text == "Пароль для стенда: password=[REDACTED:password] — спросите Анну"


def test_corpus_recall_and_precision(redactor: Redactor) -> None:
    cases = load_corpus(CORPUS)
    assert len(cases) >= 400
    assert sum(bool(c.secrets) for c in cases) >= 0.4 * len(cases)
    m = evaluate(redactor, cases)
    leaks = "\n".join(f"{s!r} in {t!r}" for t, s in m.leaks)
    fps = "\n".join(f"{o!r} -> {r!r}" for o, r in m.false_positives)
    assert m.secret_recall >= 0.95, leaks
    assert m.line_precision >= 0.9, fps
