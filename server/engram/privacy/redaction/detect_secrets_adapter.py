"""The detect-secrets adapter: its regex plugins turned into our rules, built once on first use."""

from __future__ import annotations

import importlib
import logging
from functools import lru_cache

from engram.privacy.redaction.rules import _OWN_RULES, _Rule, _grp_not_placeholder
from engram.privacy.redaction.values import _P_PROVIDER

log = logging.getLogger("engram.privacy.redaction")


# detect-secrets regex plugins we reuse: (module.Class, ((kind, group) per denylist regex), triggers).
# A kind of "" skips that regex (e.g. Slack webhooks, where our rule keeps the host visible).
_DS_SOURCES: tuple[tuple[str, tuple[tuple[str, int], ...], tuple[str, ...]], ...] = (
    ("aws.AWSKeyDetector", (("aws_access_key", 0), ("aws_secret_key", 1)),
     ("akia", "asia", "abia", "acca", "a3t", "aws")),
    ("basic_auth.BasicAuthDetector", (("password", 1),), ("://",)),
    ("cloudant.CloudantDetector", (("cloudant_key", 1),) * 4,
     ("cloudant", "clou", "cl_", "cl-", "clkey", "clp", "cltoken", "clapi")),
    ("discord.DiscordBotTokenDetector", (("discord_token", 0),), (".",)),
    ("github_token.GitHubTokenDetector", (("github_token", 0),), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    ("gitlab_token.GitLabTokenDetector", (("gitlab_token", 0),) * 7,
     ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "gr1348941", "glcbt-", "glimt-", "glptt-", "glagent-", "gloas-")),
    ("ibm_cos_hmac.IbmCosHmacDetector", (("ibm_key", 1),),
     ("secret_access_key", "secret-access-key", "secretaccesskey", "secret_key", "secret-key", "secretkey")),
    ("mailchimp.MailchimpDetector", (("mailchimp_key", 0),), ("-us",)),
    ("openai.OpenAIDetector", (("openai_key", 0),), ("t3blbkfj",)),
    ("pypi_token.PypiTokenDetector", (("pypi_token", 0),) * 2, ("pypi-",)),
    ("sendgrid.SendGridDetector", (("sendgrid_key", 0),), ("sg.",)),
    ("slack.SlackDetector", (("slack_token", 0), ("", 0)), ("xox",)),
    ("softlayer.SoftlayerDetector", (("softlayer_key", 1),) * 2,
     ("softlayer", "sl_", "sl-", "slapi", "slkey", "slp", "sltoken")),
    ("square_oauth.SquareOAuthDetector", (("square_secret", 0),), ("sq0csp-",)),
    ("stripe.StripeDetector", (("stripe_key", 0),), ("k_live_",)),
    ("telegram_token.TelegramBotTokenDetector", (("telegram_token", 0),), (":aa",)),
    ("twilio.TwilioKeyDetector", (("twilio_key", 0),) * 2, ("ac", "sk")),
)


def _detect_secrets_rules() -> list[_Rule]:
    rules: list[_Rule] = []
    for dotted, specs, triggers in _DS_SOURCES:
        module, cls_name = dotted.rsplit(".", 1)
        try:
            plugin = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), cls_name)
            patterns = list(plugin.denylist)
        except Exception as exc:  # library missing or reorganised: our own rules still apply
            log.warning("detect-secrets plugin %s unavailable: %s", dotted, exc)
            continue
        for pattern, (kind, group) in zip(patterns, specs):
            if kind and group <= pattern.groups:
                rules.append(_Rule(kind, pattern, group, _P_PROVIDER, triggers, _grp_not_placeholder(group)))
    return rules


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    """Built once per process, on first use, so importing this module stays cheap."""
    return tuple(_detect_secrets_rules()) + _OWN_RULES
