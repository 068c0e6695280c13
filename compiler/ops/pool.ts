// Op family 'pool': see docs/OPS.md. (being written)
export {};
