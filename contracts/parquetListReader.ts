/**
 * A fast reader for one shape of Parquet column: a required LIST of required
 * FLOAT or INT32 values (silver's five series, 4,320 values per device-day), in
 * data pages v2, PLAIN or dictionary encoded — what TableParquetWriter writes,
 * empty lists included.
 *
 * hyparquet's general path assembles every list as a JS array (through its Dremel
 * walk), which the predict job then copied into typed arrays: ~1 ms of the main
 * thread and ~1.5 MB of short-lived heap per device-day, whose scavenges ran on
 * every core. Here a column chunk's values land in one typed array, and each row is
 * a range of it. Anything else (other page versions, nulls, encodings, nesting)
 * returns null, and the caller reads the chunk with hyparquet's general path.
 *
 * Built on hyparquet's own page decoders (exported as `hyparquet/src/*.js`): the page
 * header, snappy, PLAIN and the RLE/bit-packed hybrid.
 */
import type { ColumnMetaData, SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';

export interface ChunkLists {
  /** every value of the chunk, rows after rows */
  values: Float32Array | Int32Array;
  /** row r's values are values[rowStarts[r] .. rowStarts[r + 1]) */
  rowStarts: Int32Array;
}

/**
 * True when `name` is a top-level required LIST of a required FLOAT or INT32
 * element: the columns readRequiredLists reads.
 */
export function isRequiredPrimitiveList(schema: readonly SchemaElement[], name: string): boolean {
  const at = schema.findIndex((e, i) => i > 0 && e.name === name);
  const list = schema[at];
  const repeated = schema[at + 1];
  const element = schema[at + 2];
  return (
    list !== undefined &&
    repeated !== undefined &&
    element !== undefined &&
    list.repetition_type === 'REQUIRED' &&
    list.converted_type === 'LIST' &&
    list.num_children === 1 &&
    repeated.repetition_type === 'REPEATED' &&
    repeated.num_children === 1 &&
    element.repetition_type === 'REQUIRED' &&
    (element.type === 'FLOAT' || element.type === 'INT32')
  );
}

/**
 * The lists of one column chunk (`chunk` holds its bytes, from its first page, and
 * `meta` its metadata), or null when the chunk is not in the shape this reader
 * handles. The column must be one isRequiredPrimitiveList accepts.
 */
export function readRequiredLists(chunk: Uint8Array, meta: ColumnMetaData): ChunkLists | null {
  if (meta.type !== 'FLOAT' && meta.type !== 'INT32') return null;
  const total = Number(meta.num_values);
  const values = meta.type === 'FLOAT' ? new Float32Array(total) : new Int32Array(total);
  // a row per repetition level 0; at most one per level entry
  const starts: number[] = [];
  let count = 0;
  let entries = 0;
  let dictionary: Float32Array | Int32Array | null = null;
  const reader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 };
  let levels = new Uint8Array(0);
  let indexes = new Uint32Array(0);
  while (reader.offset < chunk.byteLength) {
    const header = parquetHeader(reader);
    const page = chunk.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const dict = header.dictionary_page_header;
      if (!dict) return null;
      const bytes = decompressPage(page, header.uncompressed_page_size, meta.codec, undefined);
      // FLOAT and INT32 read as Float32Array and Int32Array (views of the page, which outlives this call)
      dictionary = readPlain({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, meta.type, dict.num_values, undefined) as Float32Array | Int32Array;
      continue;
    }
    const v2 = header.data_page_header_v2;
    if (header.type !== 'DATA_PAGE_V2' || !v2) return null;
    const n = v2.num_values;
    entries += n;
    if (entries > total) return null;
    const repBytes = v2.repetition_levels_byte_length;
    const defBytes = v2.definition_levels_byte_length;
    if (levels.length < 2 * n) levels = new Uint8Array(2 * n);
    const rep = levels.subarray(0, n);
    const def = levels.subarray(n, 2 * n);
    readRleBitPackedHybrid({ view: new DataView(page.buffer, page.byteOffset, repBytes), offset: 0 }, 1, rep, repBytes);
    readRleBitPackedHybrid({ view: new DataView(page.buffer, page.byteOffset + repBytes, defBytes), offset: 0 }, 1, def, defBytes);
    let present = 0;
    for (let j = 0; j < n; j++) present += def[j]!;
    // the page's "nulls" are its empty lists (definition level 0)
    if (present !== n - v2.num_nulls) return null;
    let data = page.subarray(repBytes + defBytes);
    if (v2.is_compressed !== false) data = decompressPage(data, header.uncompressed_page_size - repBytes - defBytes, meta.codec, undefined);
    const out = values.subarray(count, count + present);
    const dataReader = { view: new DataView(data.buffer, data.byteOffset, data.byteLength), offset: 0 };
    if (v2.encoding === 'PLAIN') {
      if (present > 0) out.set(readPlain(dataReader, meta.type, present, undefined) as Float32Array & Int32Array);
    } else if ((v2.encoding === 'RLE_DICTIONARY' || v2.encoding === 'PLAIN_DICTIONARY') && dictionary) {
      if (present > 0) {
        if (indexes.length < present) indexes = new Uint32Array(present);
        const idx = indexes.subarray(0, present);
        const width = data[0]!;
        dataReader.offset = 1;
        readRleBitPackedHybrid(dataReader, width, idx, data.byteLength - 1);
        for (let j = 0; j < present; j++) {
          const k = idx[j]!;
          if (k >= dictionary.length) return null;
          out[j] = dictionary[k]!;
        }
      }
    } else {
      return null;
    }
    // a page may begin inside the previous page's last list (repetition level 1)
    let at = count;
    for (let j = 0; j < n; j++) {
      if (rep[j] === 0) starts.push(at);
      else if (starts.length === 0) return null;
      if (def[j] === 1) at++;
    }
    count += present;
  }
  // num_values counts level entries (a value, or an empty list): the pages must account for all of them
  if (entries !== total) return null;
  starts.push(count);
  return { values: values.subarray(0, count) as Float32Array | Int32Array, rowStarts: Int32Array.from(starts) };
}
