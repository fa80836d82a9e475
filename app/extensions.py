"""Extension instances, bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import Enum, ForeignKey, MetaData
from sqlalchemy.orm import mapped_column

# Named constraints make Alembic migrations reversible on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = Talisman()


def string_enum(cls, name: str, length: int = 20) -> Enum:
    """A Python enum stored as its values in a VARCHAR with a CHECK constraint (same on SQLite and PostgreSQL)."""
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=length,
                values_callable=lambda e: [m.value for m in e])


def import_batch_column():
    """The import batch that added a row (None for rows made on screens): what undoing it removes."""
    return mapped_column(ForeignKey("import_batch.id", ondelete="SET NULL"), index=True)
