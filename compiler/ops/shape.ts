// Op family 'shape': see docs/OPS.md. (being written)
export {};
