// Op family 'recurrent': see docs/OPS.md. (being written)
export {};
