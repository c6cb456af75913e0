/** `import path from "x.o" with { type: "file" }` yields a path (a /$bunfs path once compiled). */
declare module "*.o" {
  const path: string;
  export default path;
}
