// hyparquet-writer 0.17 exports its modules as ./src/*.js with declarations in ./types,
// which "moduleResolution": "node" cannot map; this is the part contracts/parquet.ts uses.
declare module 'hyparquet-writer/src/column.js' {
  export function writeColumn(options: { writer: unknown; column: unknown; pageData: import('hyparquet-writer/src/types.js').PageData }): { chunk: unknown };
}
declare module 'hyparquet-writer/src/dremel.js' {
  export function encodeNestedValues(treePath: import('hyparquet').SchemaTree[], rows: unknown[]): import('hyparquet-writer/src/types.js').PageData;
}
declare module 'hyparquet-writer/src/schema.js' {
  export function schemaPathResolver(schema: import('hyparquet').SchemaElement[]): (path: string[]) => import('hyparquet').SchemaTree[];
}
declare module 'hyparquet-writer/src/types.js' {
  export interface PageData {
    values: ArrayLike<unknown>;
    definitionLevels: number[];
    repetitionLevels: number[];
    maxDefinitionLevel: number;
  }
}
