"""Who may do what on the desk. Plain functions, so rules are testable without a request.

Roles are Django groups ("Editors", "Reviewers") holding model permissions,
created by migration 0002_roles, so a newsroom manages them in the admin;
these functions only ever ask for permissions, never for group names.
"""

from __future__ import annotations

EDITORS = "Editors"
REVIEWERS = "Reviewers"

DESK_PERMISSION = "claims.view_claim"
LOAD_ARTICLE_PERMISSION = "claims.add_article"
EDIT_CLAIMS_PERMISSION = "claims.change_claim"
REVIEW_PERMISSION = "claims.review_claim"


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_use_desk(user) -> bool:
    return _active(user) and user.has_perm(DESK_PERMISSION)


def can_load_articles(user) -> bool:
    return _active(user) and user.has_perm(LOAD_ARTICLE_PERMISSION)


def can_edit_claims(user) -> bool:
    return _active(user) and user.has_perm(EDIT_CLAIMS_PERMISSION)


def can_delete_claim(user, claim) -> bool:
    return _active(user) and user.has_perm("claims.delete_claim") and claim.can_be_deleted


def can_review(user) -> bool:
    return _active(user) and user.has_perm(REVIEW_PERMISSION)
