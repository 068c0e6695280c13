/** Registers every op family; import this once before building or reading graphs. */
import './const.js';
