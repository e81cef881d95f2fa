// A strict reader of the CSV the journal export writes (semicolons, every field quoted, CRLF between
// records, line breaks allowed inside quotes): the tests read the file back as a spreadsheet would.
export function parseCsv(text: string, separator = ';'): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      if (text[i] !== '"') throw new Error(`unquoted field at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error('unterminated field');
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') { value += '"'; i = quote + 2; } else { i = quote + 1; break; }
      }
      record.push(value);
      if (text[i] === separator) { i += 1; continue; }
      if (text.startsWith('\r\n', i)) { i += 2; break; }
      if (i >= text.length) break;
      throw new Error(`unexpected ${JSON.stringify(text[i])} after a field at ${i}`);
    }
    records.push(record);
  }
  return records;
}
