export async function runScale (_o: { sizes: number[], dialects: string[], write: boolean }): Promise<void> {}
