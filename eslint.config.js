// @ts-check
// typescript-eslint's type-checked recommendations, with limits on how large and tangled a function may
// grow (set where the code is, so a new function past them is a prompt to split), and prettier for layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      complexity: ['error', 30],
      'max-depth': ['error', 4],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Tests are long sequences of steps and expectations; their describe/it callbacks are not functions to split.
    files: ['test/**/*.ts'],
    rules: { 'max-lines-per-function': 'off', complexity: 'off' },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
