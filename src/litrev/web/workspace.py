"""The reviews one server serves, and the accounts store that says who may see each.

Each review is a folder with its own `litrev.toml` and store (SQLite by default, or a URL).
People's accounts live in one store for the whole server: the first review's, unless
`accounts` names another. A review's key in URLs is its protocol's `review.id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from litrev.accounts import Accounts
from litrev.errors import LitrevError
from litrev.project import Project, team_database
from litrev.screening.decisions import Screening
from litrev.store import Store


@dataclass
class Review:
    """One served review: its key, folder, protocol, store and screening."""

    key: str
    project: Project
    screening: Screening

    @property
    def title(self) -> str:
        return str(self.project.protocol.review.title)

    @property
    def store(self) -> Store:
        return self.project.store


@dataclass
class Workspace:
    """Everything one server serves.

    `public` holds the keys of reviews whose catalogue anyone may read without logging in
    (the read-only public link a team can choose to publish).
    """

    reviews: dict[str, Review]
    accounts: Accounts
    public: set[str] = field(default_factory=set)
    secure_cookies: bool = False

    @classmethod
    def open(
        cls,
        dirs: Sequence[str | Path],
        *,
        databases: Sequence[str] = (),
        accounts: str | None = None,
        public: Sequence[str] = (),
        secure_cookies: bool = False,
    ) -> Workspace:
        """Open the reviews in `dirs` (each with its own store) and the accounts store.

        `databases` gives the store URL of each folder, in order (none: each folder's own
        `litrev.db`, or `LITREV_DATABASE` when only one folder is served).

        >>> import tempfile
        >>> root = tempfile.mkdtemp()
        >>> from litrev.project import Project
        >>> _ = Project.init(root + "/a")
        >>> sorted(Workspace.open([root + "/a"]).reviews)
        ['a']
        """
        if not dirs:
            raise LitrevError("no review to serve: give at least one review folder")
        if databases and len(databases) != len(dirs):
            raise LitrevError(
                f"{len(dirs)} review folder(s) but {len(databases)} --database URL(s): "
                "give one URL per folder, in the same order, or none"
            )
        if len(dirs) > 1 and not databases and team_database():
            raise LitrevError(
                "LITREV_DATABASE names one store, but several reviews are served: unset it and "
                "give one --database per folder (each review needs its own store)"
            )
        reviews: dict[str, Review] = {}
        for index, folder in enumerate(dirs):
            project = Project.open(folder, database=databases[index] if databases else None)
            key = str(project.protocol.review.id)
            if key in reviews:
                raise LitrevError(
                    f"{folder}: review id {key!r} is also the id of {reviews[key].project.root}; "
                    "each served review needs its own [review] id in litrev.toml"
                )
            reviews[key] = Review(
                key, project, Screening.from_protocol(project.store, project.protocol)
            )
        unknown = sorted(set(public) - set(reviews))
        if unknown:
            raise LitrevError(
                f"--public {', '.join(unknown)}: not a served review (served: {', '.join(reviews)})"
            )
        first = next(iter(reviews.values()))
        store = Store.open(accounts) if accounts else first.store
        return cls(reviews, Accounts(store), set(public), secure_cookies)

    def review(self, key: str) -> Review | None:
        return self.reviews.get(key)

    def close(self) -> None:
        stores = {id(r.store): r.store for r in self.reviews.values()}
        stores[id(self.accounts.store)] = self.accounts.store
        for store in stores.values():
            store.close()
