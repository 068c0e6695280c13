// Op family 'reduce': see docs/OPS.md. (being written)
export {};
