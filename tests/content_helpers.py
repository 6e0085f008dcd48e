"""Writing provider files into a test's content folder."""
from pathlib import Path


def write_provider(content_dir: Path, slug: str, front_matter: str, body: str = "Text.") -> Path:
    path = content_dir / "providers" / f"{slug}.md"
    path.write_text(f"---\n{front_matter.strip()}\n---\n{body}\n", encoding="utf-8")
    return path
