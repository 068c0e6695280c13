// Op family 'elementwise': see docs/OPS.md. (being written)
export {};
