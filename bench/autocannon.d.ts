// autocannon ships no types; the bench uses a handful of its options and result fields.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<any>
  export default autocannon
}
