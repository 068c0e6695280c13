// Op family 'linalg': see docs/OPS.md. (being written)
export {};
