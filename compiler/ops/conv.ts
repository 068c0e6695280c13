// Op family 'conv': see docs/OPS.md. (being written)
export {};
