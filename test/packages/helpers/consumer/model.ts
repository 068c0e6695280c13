// A DSL model module as a user writes it in a default (CommonJS) npm project,
// where tsx compiles it to CommonJS: its import of tfc-compiler/dsl is a require().
import { layers, sequential } from 'tfc-compiler/dsl';

export default sequential([layers.dense({ units: 4, activation: 'relu', inputShape: [8] }), layers.dense({ units: 2 })]);
