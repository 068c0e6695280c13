// Op family 'norm': see docs/OPS.md. (being written)
export {};
