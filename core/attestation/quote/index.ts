export { parseQuote } from "./parseQuote";
export { decodeQuoteInput, type DecodedQuoteInput, type QuoteInputFormat } from "./decodeQuoteInput";
export * from "./layout";
