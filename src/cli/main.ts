export async function main(_argv: string[]): Promise<number> {
  console.log('baton: commands arrive soon');
  return 0;
}
