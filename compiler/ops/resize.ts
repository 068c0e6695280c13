// Op family 'resize': see docs/OPS.md. (being written)
export {};
