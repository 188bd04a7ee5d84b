// hyparquet 1.31 exports its modules as ./src/*.js with declarations in ./types,
// which "moduleResolution": "node" cannot map; this is the part contracts/parquetListReader.ts uses.
declare module 'hyparquet/src/column.js' {
  export function parquetHeader(reader: import('hyparquet').DataReader): import('hyparquet').PageHeader;
}
declare module 'hyparquet/src/datapage.js' {
  export function decompressPage(compressedBytes: Uint8Array, uncompressedPageSize: number, codec: import('hyparquet').CompressionCodec, compressors: undefined): Uint8Array;
}
declare module 'hyparquet/src/encoding.js' {
  export function readRleBitPackedHybrid(reader: import('hyparquet').DataReader, width: number, output: Uint8Array | Uint32Array, length?: number): void;
}
declare module 'hyparquet/src/plain.js' {
  export function readPlain(reader: import('hyparquet').DataReader, type: import('hyparquet').ParquetType, count: number, fixedLength: number | undefined): import('hyparquet').DecodedArray;
}
