"""Operations: one owner per concept, plain dataclasses out; no typer, no rich, no printing."""
