/**
 * Types for model imports compiled by vite-plugin-tfc:
 *
 *   /// <reference types="vite-plugin-tfc/client" />
 *   import classifier from './classifier.model.ts?tfc';
 *   const model = await classifier.loadModel();
 *
 * (or list "vite-plugin-tfc/client" in tsconfig's compilerOptions.types).
 */
declare module '*?tfc' {
  import type { TfcModel } from 'vite-plugin-tfc';

  const model: TfcModel;
  export default model;
  export const name: TfcModel['name'];
  export const inputs: TfcModel['inputs'];
  export const outputs: TfcModel['outputs'];
  export const files: TfcModel['files'];
  export const loadModel: TfcModel['loadModel'];
}
